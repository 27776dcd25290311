/**
 * `apply --verify` (docs/VERIFY.md): after the tasks are started or run, wait for each one's execution
 * through FDI's task monitor APIs — `GET …/task-monitors` (paged from offset 1, filtered by `task_name`
 * when few tasks are left) for how each task's latest execution stands, then `GET …/tasks/{id}/monitor-logs`
 * for an execution that ended: the log with the greatest `start_time` gives its status, counts and
 * remarks. Every request goes through the run's scheduler and retry policy. Polling is bounded by the
 * timeout and stops at once on the run's signal or deadline; whatever has not ended by then is reported
 * `running` or `not yet run`. Reading fails are notes, never a crash.
 */
import { setMaxListeners } from 'node:events';
import type { FdiClient } from '../fdi/client/client.js';
import { FdiError, isAuthFailure } from '../fdi/client/fdi-error.js';
import {
  MONITOR_FIRST_OFFSET,
  type ExecuteStatus,
  type Page,
  type TaskMonitorInfo,
  type TaskMonitorLog,
} from '../fdi/model/api.js';
import { listAll } from '../plan/reads.js';
import type { Execution, ExecutionState, TaskResult, VerifySummary } from '../report/types.js';
import { EXECUTION_STATES } from '../report/types.js';
import { sleep } from '../traffic/sleep.js';
import type { RetryContext } from '../traffic/with-retry.js';
import { targetKey, type Target } from '../types.js';

/** How much earlier than the run's start an execution of it may seem to begin (FDI's clock is not ours). */
export const VERIFY_CLOCK_SLACK_MS = 60_000;
/** Up to this many tasks left in an instance are looked up by name; more, and the instance is listed. */
const BY_NAME_MAX = 4;
const ENDED: ReadonlySet<ExecuteStatus> = new Set(['SUCCESS', 'ERROR', 'CANCELLED']);

export interface VerifyOptions {
  client: FdiClient;
  retry: Omit<RetryContext, 'signal'>;
  /** How long to wait at most. */
  timeoutMs: number;
  /** Executions that began before this (epoch ms, FDI's clock) are earlier ones, not this run's. */
  since: number;
  /** Hard stop (SIGINT): polling ends at once. */
  signal?: AbortSignal | undefined;
  /** Soft stop (the invocation's deadline nears): polling ends at once too. */
  deadline?: AbortSignal | undefined;
  /** The report's clock. */
  now: () => Date;
  /** Between two looks (default: a twentieth of the timeout, 1–5 s). */
  intervalMs?: number | undefined;
  /** After each look: how many of the verified tasks have settled. */
  onLook?: ((settled: number, total: number) => void) | undefined;
}

export interface VerifyOutcome {
  results: TaskResult[];
  summary: VerifySummary;
}

/** The tasks verify waits for: those this run started or ran. */
export function toVerify(r: TaskResult): boolean {
  return r.task_id !== undefined && r.target !== undefined && (r.start === 'started' || r.run !== undefined);
}

/** The default time between two looks: a twentieth of the timeout, between 1 and 5 s. */
export function pollInterval(timeoutMs: number): number {
  return Math.min(5000, Math.max(1000, Math.round(timeoutMs / 20)));
}

/** How long a REALTIME task's stream must have run before it counts as settled (it runs until stopped). */
export function streamWatchMs(timeoutMs: number): number {
  return Math.min(30_000, Math.round(timeoutMs / 3));
}

/** What one look found of a task. */
interface Seen {
  status?: ExecuteStatus | undefined;
  taskType?: string | undefined;
  log?: TaskMonitorLog | undefined;
  /** When its execution began (epoch ms), as the monitor said. */
  began?: number | undefined;
  settled: boolean;
  note?: string | undefined;
}

interface Watch {
  result: TaskResult;
  target: Target;
  seen: Seen;
}

/** Waits for the executions of the results to verify; returns the results with `execution` set, and the summary. */
export async function verifyExecutions(results: readonly TaskResult[], opts: VerifyOptions): Promise<VerifyOutcome> {
  const startedAt = opts.now();
  const stop = new AbortController();
  setMaxListeners(0, stop.signal);
  const onStop = () => stop.abort(new Error('verification stopped'));
  const timer = setTimeout(() => stop.abort(new Error('verification deadline')), opts.timeoutMs);
  for (const s of [opts.signal, opts.deadline]) {
    s?.addEventListener('abort', onStop, { once: true });
    if (s?.aborted) onStop();
  }
  const watches = results
    .filter(toVerify)
    .map((r): Watch => ({ result: r, target: r.target!, seen: { settled: false } }));
  const ctx: PollContext = {
    client: opts.client,
    retry: { ...opts.retry, signal: stop.signal },
    since: opts.since,
    watchMs: streamWatchMs(opts.timeoutMs),
  };
  let note: string | undefined;
  try {
    for (;;) {
      const pending = watches.filter((w) => !w.seen.settled);
      if (!pending.length || stop.signal.aborted) break;
      note = (await Promise.all([...byTarget(pending).values()].map((group) => pollTarget(group, ctx)))).find(Boolean);
      opts.onLook?.(watches.filter((w) => w.seen.settled).length, watches.length);
      if (note?.startsWith('authentication')) break;
      if (watches.every((w) => w.seen.settled)) break;
      await sleep(opts.intervalMs ?? pollInterval(opts.timeoutMs), stop.signal).catch(() => undefined);
    }
  } finally {
    clearTimeout(timer);
    for (const s of [opts.signal, opts.deadline]) s?.removeEventListener('abort', onStop);
  }
  const executions = new Map(watches.map((w) => [w.result.index, executionOf(w.seen)]));
  const out = results.map((r) => {
    const e = executions.get(r.index);
    return e ? { ...r, execution: e } : r;
  });
  const ended = watches.every((w) => w.seen.settled)
    ? 'settled'
    : opts.signal?.aborted || opts.deadline?.aborted || note
      ? 'stopped'
      : 'deadline';
  const summary = summarize([...executions.values()], opts.timeoutMs, startedAt, ended, note);
  return {
    results: out,
    summary: { ...summary, duration_ms: Math.max(0, opts.now().getTime() - startedAt.getTime()) },
  };
}

function byTarget(watches: Watch[]): Map<string, Watch[]> {
  const groups = new Map<string, Watch[]>();
  for (const w of watches) {
    const k = targetKey(w.target);
    const group = groups.get(k);
    if (group) group.push(w);
    else groups.set(k, [w]);
  }
  return groups;
}

interface PollContext {
  client: FdiClient;
  retry: RetryContext;
  since: number;
  watchMs: number;
}

/** One look at the tasks left in one instance; a note when the monitors could not be read. */
async function pollTarget(group: Watch[], ctx: PollContext): Promise<string | undefined> {
  const target = group[0]!.target;
  try {
    const infos = await monitorInfos(target, group, ctx);
    // In parallel: the run's scheduler caps how many requests are in flight.
    await Promise.all(
      group.map(async (w) => {
        const info = infos.get(w.result.name);
        if (info && info.task_id === w.result.task_id) await look(w, info, ctx);
        else w.seen.note = 'not in the task monitors';
      }),
    );
    return undefined;
  } catch (err) {
    if (!(err instanceof FdiError)) throw err;
    if (err.kind === 'aborted') return undefined;
    if (isAuthFailure(err)) return `authentication failed while verifying (${err.errorCode ?? 'HTTP 401'})`;
    for (const w of group) w.seen.note = `the task monitors could not be read: ${err.message}`;
    return undefined;
  }
}

/** The monitor entries of the group's tasks, by name: looked up by name when few, else the instance listed. */
async function monitorInfos(target: Target, group: Watch[], ctx: PollContext): Promise<Map<string, TaskMonitorInfo>> {
  const wanted = new Set(group.map((w) => w.result.name));
  const found = new Map<string, TaskMonitorInfo>();
  const names = group.length <= BY_NAME_MAX ? [...wanted] : [undefined];
  for (const name of names) {
    // task_name is a fuzzy filter: names are compared exactly.
    for await (const info of monitorPages(ctx.retry, (page, signal) =>
      ctx.client.listTaskMonitors(target, { ...page, task_name: name }, signal),
    )) {
      if (wanted.has(info.task_name)) found.set(info.task_name, info);
    }
  }
  return found;
}

/** What the monitor entry says of one task; an execution that ended is read from its logs. */
async function look(w: Watch, info: TaskMonitorInfo, ctx: PollContext): Promise<void> {
  const seen = w.seen;
  seen.taskType = info.task_type?.toUpperCase();
  seen.note = undefined;
  const began = info.last_execute_time;
  // An execution that began before this run is an earlier one: this run's has not begun.
  const earlier = began !== undefined && began < ctx.since && w.result.run !== 'running';
  const status = earlier ? undefined : info.execute_status;
  if (status === undefined || status === 'UNSTARTED' || status === 'WAITING') return;
  seen.status = status;
  seen.began = began;
  if (status === 'RUNNING') {
    // A REALTIME task's stream runs until it is stopped: running long enough, it has settled.
    if (seen.taskType === 'REALTIME' && began !== undefined && Date.now() - began >= ctx.watchMs) seen.settled = true;
    return;
  }
  if (!ENDED.has(status)) return;
  const log = await latestLog(w, ctx);
  if (log && !ENDED.has(log.execute_status)) {
    seen.status = log.execute_status;
    return;
  }
  seen.log = log;
  seen.status = log?.execute_status ?? status;
  seen.settled = true;
}

/** The task's execution with the greatest start time since the run began (the order of the logs is not documented). */
async function latestLog(w: Watch, ctx: PollContext): Promise<TaskMonitorLog | undefined> {
  let latest: TaskMonitorLog | undefined;
  const since = w.result.run === 'running' ? undefined : ctx.since;
  for await (const log of monitorPages(ctx.retry, (page, signal) =>
    ctx.client.listMonitorLogs(w.target, w.result.task_id!, { ...page, begin_time: since }, signal),
  )) {
    if (!latest || (log.start_time ?? -Infinity) > (latest.start_time ?? -Infinity)) latest = log;
  }
  return latest;
}

/** Every entry of a monitor listing (offset from 1), each page under the run's retry policy. */
export function monitorPages<T>(
  retry: RetryContext,
  page: (query: { offset: number; limit: number }, signal?: AbortSignal) => Promise<Page<T>>,
): AsyncGenerator<T> {
  return listAll(retry, page, MONITOR_FIRST_OFFSET);
}

/** A task's execution as the report gives it. */
export function executionOf(seen: Seen): Execution {
  const log = seen.log;
  const state = stateOf(seen.status);
  const realtime = seen.taskType === 'REALTIME';
  const startMs = log?.start_time ?? seen.began;
  return {
    state,
    healthy: state === 'succeeded' || (state === 'running' && realtime),
    execute_status: seen.status,
    id: log?.id,
    started_at: startMs !== undefined && Number.isFinite(startMs) ? new Date(startMs).toISOString() : undefined,
    data_count: log?.data_count,
    dirty_data_count: log?.dirty_data_count,
    remarks: log?.remarks,
    note: seen.settled ? undefined : seen.note,
  };
}

/** FDI's execute_status → the report's execution state. */
export function stateOf(status: ExecuteStatus | undefined): ExecutionState {
  switch (status) {
    case 'SUCCESS':
      return 'succeeded';
    case 'ERROR':
    case 'CANCELLED':
      return 'failed';
    case 'RUNNING':
      return 'running';
    default:
      return 'not yet run';
  }
}

/** The report's `verify`: counts per state, and whether every verified execution is healthy. */
export function summarize(
  executions: readonly Execution[],
  timeoutMs: number,
  startedAt: Date,
  ended: VerifySummary['ended'],
  note?: string,
): Omit<VerifySummary, 'duration_ms'> {
  const counts = Object.fromEntries(EXECUTION_STATES.map((s) => [s, 0])) as Record<ExecutionState, number>;
  for (const e of executions) counts[e.state] += 1;
  return {
    timeout_s: Math.round(timeoutMs / 1000),
    deadline: new Date(startedAt.getTime() + timeoutMs).toISOString(),
    ended,
    tasks: executions.length,
    counts,
    healthy: executions.every((e) => e.healthy),
    note,
  };
}
