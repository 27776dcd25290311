/**
 * The usual setup of a CLI test against the FDI emulator: one emulator and one temporary folder for the
 * whole file (started in beforeAll, closed and removed in afterAll), and the environment that points the
 * CLI at that emulator.
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll } from 'vitest';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../emulator/index.js';
import { tempDir, type CliResult } from './cli.js';

export interface EmulatorFixture {
  /** The emulator (read it inside a test or a hook: it is started in beforeAll). */
  readonly emu: Emulator;
  /** A fresh temporary folder, removed in afterAll. */
  readonly dir: string;
  /**
   * The CLI's environment: the emulator's URL, its token, the default instance (`local-instance`), and
   * the `env` given to useEmulator on top (a key given as undefined is left out).
   */
  readonly env: Record<string, string>;
}

/** Registers beforeAll/afterAll for an emulator started with `options` and a temporary folder `prefix…`. */
export function useEmulator(
  prefix: string,
  options: EmulatorOptions = {},
  env: Record<string, string | undefined> = {},
): EmulatorFixture {
  let emu: Emulator | undefined;
  let dir: string | undefined;
  let fullEnv: Record<string, string> | undefined;
  beforeAll(async () => {
    emu = await startEmulator(options);
    dir = await tempDir(prefix);
    fullEnv = {};
    const all = { FDI_ENDPOINT: emu.url, FDI_AUTH_TOKEN: 'local-token', FDI_INSTANCE_ID: 'local-instance', ...env };
    for (const [k, v] of Object.entries(all)) if (v !== undefined) fullEnv[k] = v;
  });
  afterAll(async () => {
    await emu?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`useEmulator: ${what} is only there once beforeAll has run`);
    return value;
  };
  return {
    get emu() {
      return ready(emu, 'emu');
    },
    get dir() {
      return ready(dir, 'dir');
    },
    get env() {
      return ready(fullEnv, 'env');
    },
  };
}

/**
 * Polls `ready` until it holds. Fails with the CLI's exit code and stderr if the CLI (`done`) ends first,
 * so a run that stops early is an error message, not a test timeout.
 */
export async function untilOrEnded(
  ready: () => boolean,
  done: Promise<CliResult>,
  what: string,
  everyMs = 20,
): Promise<void> {
  let ended: CliResult | undefined;
  let failed: unknown;
  void done.then(
    (r) => (ended = r),
    (err: unknown) => (failed = err ?? new Error('the CLI could not be started')),
  );
  while (!ready()) {
    if (failed !== undefined) throw failed;
    if (ended) throw new Error(`the CLI ended (exit ${ended.code}) before ${what}; its stderr:\n${ended.stderr}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Requests the emulator answered on `route` (e.g. `PUT /tasks/{task_id}`), every status counted. */
export function routeCount(emu: Emulator, route: string): number {
  return Object.values(emu.stats().requests[route] ?? {}).reduce((a, b) => a + b, 0);
}

/** Requests the emulator answered on every route, every status counted. */
export function requestsAnswered(emu: Emulator): number {
  return Object.keys(emu.stats().requests).reduce((n, route) => n + routeCount(emu, route), 0);
}

/**
 * Someone edits a task straight through the FDI API (as in the console): its detail becomes `detail`,
 * its fields stay. Resolves to the HTTP status of the PUT.
 */
export async function editTask(
  emu: Emulator,
  task: {
    task_id: string;
    task_name: string;
    task_type: string;
    source_datasource_id: string;
    target_datasource_id: string;
  },
  detail: unknown,
  where: { project: string; instance: string } = { project: 'local-project', instance: 'local-instance' },
): Promise<number> {
  const res = await fetch(`${emu.url}/v2/${where.project}/fdi/instances/${where.instance}/tasks/${task.task_id}`, {
    method: 'PUT',
    headers: { 'X-Auth-Token': 'local-token', 'Content-Type': 'application/json' },
    body: JSON.stringify({
      task: {
        task_name: task.task_name,
        task_type: task.task_type,
        source_datasource_id: task.source_datasource_id,
        target_datasource_id: task.target_datasource_id,
      },
      task_detail: JSON.stringify(detail),
    }),
  });
  await res.arrayBuffer();
  return res.status;
}
