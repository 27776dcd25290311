/**
 * The emulator's HTTP server: a loopback listener around one EmulatorCore, each request answered by
 * handleRequest, and the programmatic handle tests and the local stack hold.
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EmulatorCore } from './core.js';
import { type ExecutionView, executionViews } from './executions.js';
import { handleRequest } from './handle-request.js';
import type { EmulatorOptions, RuntimePatch } from './options.js';
import type { LoggedRequest } from './request-log.js';
import { type SeedTaskSpec, seedTask } from './seed.js';
import type { TaskRecord } from './state.js';
import type { EmulatorStats } from './stats.js';

/** A running emulator. */
export interface Emulator {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  stats(): EmulatorStats;
  /** Arrival times (ms, performance.now-based) of FDI API requests, for rate assertions. */
  arrivals(): number[];
  /**
   * Clears tasks, dispatches, executions, stats and the request log, re-seeds the PRNG and refills
   * the rate bucket; keeps configuration and issued tokens.
   */
  reset(): void;
  /**
   * Changes settings at run time; throws EmulatorConfigError when a value is invalid. `faults`
   * replaces the whole map.
   */
  configure(patch: RuntimePatch): void;
  /** Makes every IAM-issued token expired. */
  expireTokens(): void;
  /** A snapshot of the stored tasks (all, or of one project, or of one instance). */
  tasks(project?: string, instance?: string): TaskRecord[];
  /**
   * Stores a task directly (e.g. a composite task with `ext_type: 'CDC'`) and returns a copy of it;
   * throws EmulatorConfigError naming every problem.
   */
  seedTask(spec: SeedTaskSpec): TaskRecord;
  /**
   * The simulated executions (all, or of one project, or of one instance), oldest first per task, each
   * as its TaskMonitorLog now plus its task, number and trigger.
   */
  executions(project?: string, instance?: string): ExecutionView[];
  /** The last 1,000 FDI API requests (method, path without query, Content-Type), oldest first. */
  requestLog(): LoggedRequest[];
  /** Stops listening, ends hanging and pending requests, writes the state file. */
  close(): Promise<void>;
}

/** Starts an emulator on loopback (port 0 = a free port). */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const core = new EmulatorCore(options);
  const server: Server = createServer((req, res) => {
    handleRequest(core, req, res).catch(() => res.destroy());
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(core.options.port, core.options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    stats: () => core.snapshot(),
    arrivals: () => core.stats.arrivals(),
    reset: () => core.reset(),
    configure: (patch) => core.configure(patch),
    expireTokens: () => core.auth.expireAll(Date.now()),
    tasks: (project, instance) => core.store.snapshot(project, instance),
    seedTask: (spec) => seedTask(core, spec),
    executions: (project, instance) => executionViews(core.executions, Date.now(), project, instance),
    requestLog: () => core.requestLog.list(),
    close: () => {
      // Once: a second close() gets the same promise.
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        core.waits.close();
        server.closeAllConnections();
      }).finally(() => core.store.flush());
      return closing;
    },
  };
}
