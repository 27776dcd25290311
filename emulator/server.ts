/**
 * The emulator's HTTP server: the request pipeline of an FDI API request
 * (arrival → body → latency → rate quota → fault → auth → project/instance → handler), the IAM token
 * route and the /__emulator control routes.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { DataSource } from '../lib/fdi/model/api.js';
import { ERROR_CODES } from '../lib/fdi/model/api.js';
import { handleAdmin } from './admin.js';
import type { ApiContext, Reply } from './api.js';
import { Authenticator, iamError } from './auth.js';
import { FaultPlan } from './faults.js';
import { FAULT_ANSWERS, sendThrottled, sendUnknownInstance, sendUnknownRoute } from './gateway.js';
import { BodyTooLargeError, parseJson, readBody, sendEmpty, sendError, sendJson } from './http.js';
import {
  type EmulatorOptions,
  type FaultKind,
  type ResolvedOptions,
  type RuntimePatch,
  EmulatorConfigError,
  checkRuntimePatch,
  resolveOptions,
} from './options.js';
import { TokenBucket } from './rate-quota.js';
import { type Match, matchRoute } from './router.js';
import { TaskStore, newId } from './state.js';
import { type EmulatorStats, StatsCollector } from './stats.js';
import type { TaskRecord } from './state.js';

/** A running emulator. */
export interface Emulator {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  stats(): EmulatorStats;
  /** Arrival times (ms, performance.now-based) of FDI API requests, for rate assertions. */
  arrivals(): number[];
  /** Clears tasks, dispatches and stats, re-seeds the PRNG and refills the rate bucket; keeps configuration and issued tokens. */
  reset(): void;
  /** Changes settings at run time; throws EmulatorConfigError when a value is invalid. `faults` replaces the whole map. */
  configure(patch: RuntimePatch): void;
  /** Makes every IAM-issued token expired. */
  expireTokens(): void;
  /** A snapshot of the stored tasks (all, or of one project, or of one instance). */
  tasks(project?: string, instance?: string): TaskRecord[];
  /** Stops listening, ends hanging and pending requests, writes the state file. */
  close(): Promise<void>;
}

type Outcome = 'reset' | 'hang';

/** Everything one emulator holds; the HTTP server is a thin shell around it. */
export class EmulatorCore {
  readonly options: ResolvedOptions;
  readonly store: TaskStore;
  readonly stats = new StatsCollector();
  readonly auth: Authenticator;
  readonly datasources: ReadonlyMap<string, DataSource>;
  private readonly faults: FaultPlan;
  private bucket: TokenBucket | undefined;
  private readonly timers = new Set<{ timer: NodeJS.Timeout; end: () => void }>();
  private closed = false;

  constructor(options: EmulatorOptions) {
    this.options = resolveOptions(options);
    this.store = new TaskStore(this.options.stateFile);
    this.auth = new Authenticator(this.options.tokens, this.options.aksk, this.options.iamUsers);
    this.datasources = new Map(this.options.datasources.map((d) => [d.datasource_id, d]));
    this.faults = new FaultPlan(this.options.seed);
    this.bucket = this.newBucket();
  }

  private newBucket(): TokenBucket | undefined {
    return this.options.rateQuota === undefined
      ? undefined
      : new TokenBucket(this.options.rateQuota, performance.now());
  }

  configure(patch: RuntimePatch): void {
    const problems = checkRuntimePatch(patch as Record<string, unknown>);
    if (problems.length > 0) throw new EmulatorConfigError(problems.join('; '));
    const o = this.options;
    if ('faults' in patch) o.faults = { ...(patch.faults ?? {}) };
    if ('latencyMs' in patch) o.latencyMs = patch.latencyMs ?? 0;
    if ('jitterMs' in patch) o.jitterMs = patch.jitterMs ?? 0;
    if ('maxTasks' in patch && patch.maxTasks !== undefined) o.maxTasks = patch.maxTasks;
    if ('tokenTtlSeconds' in patch && patch.tokenTtlSeconds !== undefined) o.tokenTtlSeconds = patch.tokenTtlSeconds;
    // null (from JSON) or undefined switches these off.
    if ('retryAfterSeconds' in patch) o.retryAfterSeconds = patch.retryAfterSeconds ?? undefined;
    if ('rateQuota' in patch) {
      o.rateQuota = patch.rateQuota ?? undefined;
      this.bucket = this.newBucket();
    }
    if ('seed' in patch && patch.seed !== undefined) {
      o.seed = patch.seed;
      this.faults.reseed(o.seed);
    }
  }

  /** The settings configure() can change, as they are now. */
  runtimeSettings(): RuntimePatch {
    const { faults, rateQuota, retryAfterSeconds, latencyMs, jitterMs, maxTasks, seed, tokenTtlSeconds } = this.options;
    return {
      faults: { ...faults },
      rateQuota,
      retryAfterSeconds,
      latencyMs,
      jitterMs,
      maxTasks,
      seed,
      tokenTtlSeconds,
    };
  }

  reset(): void {
    this.store.clear();
    this.stats.reset();
    this.faults.reseed(this.options.seed);
    this.bucket = this.newBucket();
  }

  snapshot(): EmulatorStats {
    return this.stats.snapshot(this.store.size());
  }

  /** Waits `ms`; ends early (resolving) when the emulator closes. */
  wait(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.timers.delete(entry);
          resolve();
        }, ms),
        end: resolve,
      };
      this.timers.add(entry);
    });
  }

  /** Ends every wait (latency and hangs) at once; requests still in the pipeline stop. */
  shutdown(): void {
    this.closed = true;
    for (const entry of this.timers) {
      clearTimeout(entry.timer);
      entry.end();
    }
    this.timers.clear();
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('X-Request-Id', newId());
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q < 0 ? url : url.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
    const match = matchRoute(req.method ?? 'GET', pathname);
    if (match.kind === 'admin') return handleAdmin(this, match.action, query, await readBody(req), res);
    let recorded = false;
    // Counted as soon as the answer is written (or dropped), so a client that just got it sees it in stats.
    const record = (status: number | Outcome | 'aborted') => {
      if (recorded) return;
      recorded = true;
      this.stats.outcome(match.label, status);
    };
    res.on('close', () => record(res.headersSent ? res.statusCode : 'aborted'));
    if (match.kind !== 'iam') res.on('close', this.stats.apiArrival(performance.now()));
    try {
      const outcome =
        match.kind === 'iam' ? await this.handleIam(req, res) : await this.handleApi(match, req, query, res);
      if (outcome) record(outcome);
      else if (res.headersSent) record(res.statusCode);
    } catch {
      // A bug in a handler: answer like the real service's "System error", or drop a half-sent answer.
      if (res.headersSent) res.destroy();
      else sendError(res, 500, ERROR_CODES.systemError, 'System error.');
      record(res.headersSent ? res.statusCode : 'aborted');
    }
  }

  /** The FDI pipeline; returns 'reset' or 'hang' when the request gets no answer. */
  private async handleApi(
    match: Exclude<Match, { kind: 'admin' | 'iam' }>,
    req: IncomingMessage,
    query: URLSearchParams,
    res: ServerResponse,
  ): Promise<Outcome | void> {
    if (match.kind === 'unknown') return sendUnknownRoute(res);
    // Decided synchronously at arrival, so the PRNG and the bucket see requests in arrival order.
    const decision = this.faults.next(this.options);
    const allowed = this.bucket?.tryTake(performance.now()) ?? true;
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (err) {
      if (err instanceof BodyTooLargeError)
        return sendError(res, 413, ERROR_CODES.badRequest, 'Request entity too large.');
      throw err;
    }
    if (match.label === 'POST /tasks') this.countAttempt(body);
    await this.wait(decision.delayMs);
    // A client that gave up meanwhile does not stop the work (a real backend carries on too, which
    // is what makes a timeout ambiguous); only closing the emulator does.
    if (this.closed) return;
    if (!allowed) return sendThrottled(res, this.options.rateQuota, this.options.retryAfterSeconds);
    const fault = decision.fault === '500-after-commit' ? undefined : decision.fault;
    if (fault) return this.injectFault(fault, req, res);
    return this.answerApi(match, req, query, body, res, decision.fault === '500-after-commit');
  }

  private countAttempt(body: Buffer): void {
    const parsed = parseJson(body);
    const name = parsed.ok ? (parsed.value as { task?: { task_name?: unknown } } | null)?.task?.task_name : undefined;
    if (typeof name === 'string') this.stats.createAttempt(name);
  }

  /** Applies a fault that happens before any processing; returns the outcome when there is no answer. */
  private injectFault(fault: FaultKind, req: IncomingMessage, res: ServerResponse): Outcome | undefined {
    this.stats.fault(fault);
    const socket = req.socket as Socket & { resetAndDestroy?: () => void };
    if (fault === 'reset') {
      // A TCP RST where the platform allows it, like a dropped connection.
      if (socket.resetAndDestroy) socket.resetAndDestroy();
      else socket.destroy();
      return 'reset';
    }
    if (fault === 'hang') {
      void this.wait(this.options.hangMs).then(() => socket.destroy());
      return 'hang';
    }
    if (fault === '429') {
      sendThrottled(res, this.options.rateQuota, this.options.retryAfterSeconds);
      return undefined;
    }
    const answer = FAULT_ANSWERS[fault]!;
    sendError(res, answer.status, answer.code, answer.message);
    return undefined;
  }

  private answerApi(
    match: Extract<Match, { kind: 'api' }>,
    req: IncomingMessage,
    query: URLSearchParams,
    body: Buffer,
    res: ServerResponse,
    failAfterCommit: boolean,
  ): void {
    const auth = this.auth.authenticate(
      { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body },
      Date.now(),
    );
    if (!auth.ok) return sendError(res, auth.status, auth.code, auth.message);
    if (!this.options.projects.includes(match.project)) return sendUnknownInstance(res, 'project', match.project);
    if (!this.options.instances.includes(match.instance)) return sendUnknownInstance(res, 'instance', match.instance);
    const ctx: ApiContext = {
      project: match.project,
      instance: match.instance,
      params: match.params,
      query,
      body,
      store: this.store,
      datasources: this.datasources,
      stats: this.stats,
      maxTasks: this.options.maxTasks,
      now: Date.now(),
    };
    const reply: Reply = match.handler(ctx);
    if (failAfterCommit && match.commits && reply.committed) {
      // The operation went through; the client only learns of a 500.
      this.stats.fault('500-after-commit');
      const answer = FAULT_ANSWERS['500-after-commit']!;
      return sendError(res, answer.status, answer.code, answer.message);
    }
    if (reply.body === undefined) return sendEmpty(res, reply.status);
    const b = reply.body as { error_code?: string; error_msg?: string };
    if (b.error_code !== undefined) return sendError(res, reply.status, b.error_code, b.error_msg ?? '');
    return sendJson(res, reply.status, reply.body);
  }

  /** POST /v3/auth/tokens: IAM's behaviour and error shape; no faults, no rate quota. */
  private async handleIam(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const parsed = parseJson(await readBody(req));
    if (!parsed.ok) return sendJson(res, 400, iamError(400, 'The request body is invalid.', 'Bad Request'));
    const issued = this.auth.issue(parsed.value, this.options.tokenTtlSeconds, Date.now());
    if (!issued) return sendJson(res, 401, iamError(401, 'The username or password is wrong.', 'Unauthorized'));
    return sendJson(res, 201, issued.body, { 'X-Subject-Token': issued.token });
  }
}

/** Starts an emulator on loopback (port 0 = a free port). */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const core = new EmulatorCore(options);
  const server: Server = createServer((req, res) => {
    core.handle(req, res).catch(() => res.destroy());
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
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        core.shutdown();
        server.closeAllConnections();
      }).finally(() => core.store.flush());
      return closing;
    },
  };
}
