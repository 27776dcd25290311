/**
 * Executes a plan: pulls rendered tasks one at a time from the manifest's lazy stream (so memory holds
 * only what is in flight), creates or updates them exactly once, then schedules and starts them.
 * Stops dispatching on the failure threshold, an authentication failure, a deadline or a signal;
 * whatever was not attempted is reported as such. One bad task never fails the run.
 */
import { setMaxListeners } from 'node:events';
import type { FdiClient } from '../fdi/client/client.js';
import { FdiError, isAuthFailure } from '../fdi/client/fdi-error.js';
import type { CompiledManifest, ExpandedTask } from '../manifest/index.js';
import { toCreateRequest } from '../manifest/index.js';
import type { Plan, PlanEntry } from '../plan/types.js';
import type { TaskResult } from '../report/types.js';
import type { OnExists, StopReason } from '../types.js';
import { AuthAbort, createExactlyOnce } from './create-task.js';
import { ensureDispatch, StartBatcher } from './post-steps.js';
import { thresholdExceeded, type FailureThreshold } from './threshold.js';
import { withRetry, type RetryContext } from '../traffic/with-retry.js';

export interface ExecuteOptions {
  client: FdiClient;
  retry: Omit<RetryContext, 'signal'>;
  /** Tasks worked on at once (HTTP concurrency is capped separately by the scheduler). */
  workers: number;
  threshold: FailureThreshold;
  /** The manifest's `on_exists`: decides what a task created by someone else after planning means. */
  onExists: OnExists;
  /** Hard stop: in-flight requests are aborted (SIGINT, Lambda about to die). */
  signal?: AbortSignal;
  /** Soft stop: no new task is started; in-flight ones finish (deadline nearing). */
  stopSignal?: AbortSignal;
  /** Results already final from an earlier invocation (checkpoint): not redone. */
  done?: ReadonlyMap<number, TaskResult>;
  /** Called with each final result (progress, checkpoints). */
  onResult?: (result: TaskResult) => void;
}

export interface ExecuteOutcome {
  results: TaskResult[];
  stopped?: StopReason;
  /** The authentication error that aborted the run. */
  authError?: FdiError;
}

/** Error codes of failures whose outcome is unknown: the task may exist. */
const UNVERIFIED_CODES: ReadonlySet<string> = new Set(['ABORTED', 'UNVERIFIED']);

/** A result is final when a later invocation must not redo it (an unknown outcome is looked up again). */
export function isFinal(r: TaskResult): boolean {
  return r.status !== 'not_attempted' && !(r.status === 'failed' && UNVERIFIED_CODES.has(r.error_code ?? ''));
}

export async function executePlan(
  manifest: CompiledManifest,
  plan: Plan,
  opts: ExecuteOptions,
): Promise<ExecuteOutcome> {
  const hard = new AbortController();
  // Every task waiting in a backoff listens on this one signal.
  setMaxListeners(0, hard.signal);
  const onOuterAbort = () => hard.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
  if (opts.signal?.aborted) hard.abort(opts.signal.reason);
  const retry: RetryContext = { ...opts.retry, signal: hard.signal };
  const results: TaskResult[] = plan.entries.map((e) => opts.done?.get(e.index) ?? notAttempted(e));
  const counts = { attempted: 0, failed: 0 };
  const starter = new StartBatcher(opts.client, retry);
  let stopped: StopReason | undefined;
  let authError: FdiError | undefined;
  const stopping = () => {
    if (stopped) return true;
    if (hard.signal.aborted) stopped = 'signal';
    else if (opts.stopSignal?.aborted) stopped = 'deadline';
    return stopped !== undefined;
  };

  const finish = (r: TaskResult, wrote: boolean) => {
    results[r.index] = r;
    if (wrote && r.status !== 'not_attempted') {
      counts.attempted += 1;
      if (r.status === 'failed') counts.failed += 1;
      if (!stopped && thresholdExceeded(counts, opts.threshold)) stopped = 'threshold';
    }
    opts.onResult?.(r);
  };

  const pendingStarts = new Set<Promise<void>>();
  const iterator = manifest.tasks()[Symbol.iterator]();
  const worker = async () => {
    for (;;) {
      if (stopping()) return;
      const next = iterator.next();
      if (next.done) return;
      const task = next.value;
      const entry = plan.entries[task.index];
      if (!entry || opts.done?.has(task.index)) continue;
      try {
        const { result, wrote, start } = await runTask(task, entry, opts.client, retry, stopping, opts.onExists);
        if (!start) finish(result, wrote);
        else {
          // Starts go out in batches of 10; the worker moves on instead of waiting for its batch to fill.
          const p = starter
            .add(entry.target, result.task_id!)
            .then((o) => {
              if (!o.ok && isAuthFailure(o.error)) stopped = 'auth';
              finish(o.ok ? { ...result, started: true } : stepFailure(result, 'start', o.error, false), wrote);
            })
            .finally(() => pendingStarts.delete(p));
          pendingStarts.add(p);
        }
      } catch (err) {
        if (!(err instanceof AuthAbort)) throw err;
        stopped = 'auth';
        authError = err.error;
        hard.abort(err);
        finish({ ...notAttempted(entry), status: 'failed', ...err.error.toReport(), attempts: 1 }, false);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, opts.workers) }, worker));
    await starter.flush();
    await Promise.all([...pendingStarts]);
  } finally {
    opts.signal?.removeEventListener('abort', onOuterAbort);
  }
  return { results, ...(stopped ? { stopped } : {}), ...(authError ? { authError } : {}) };
}

function notAttempted(e: PlanEntry): TaskResult {
  return {
    index: e.index,
    name: e.name,
    status: e.action === 'invalid' ? 'invalid' : 'not_attempted',
    attempts: 0,
    line: e.line,
    target: e.target,
    ...(e.action === 'invalid' ? { error_code: 'INVALID', error_msg: e.reason } : {}),
  };
}

function failure(base: TaskResult, error: FdiError, note?: string): TaskResult {
  const rep = error.toReport();
  const code = error.kind === 'aborted' ? 'ABORTED' : rep.error_code;
  return {
    ...base,
    status: 'failed',
    ...rep,
    error_code: code,
    error_msg: note ? `${rep.error_msg} (${note})` : rep.error_msg,
  };
}

/** One task: its write (create/update) and schedule; says whether it still needs a start. */
async function runTask(
  task: ExpandedTask,
  entry: PlanEntry,
  client: FdiClient,
  retry: RetryContext,
  stopping: () => boolean,
  onExists: ExecuteOptions['onExists'],
): Promise<{ result: TaskResult; wrote: boolean; start?: boolean }> {
  const base = notAttempted(entry);
  if (entry.action === 'invalid' || entry.action === 'conflict') return { result: base, wrote: false };
  const ids = { source: entry.source_datasource_id!, target: entry.target_datasource_id! };
  let result: TaskResult;
  let created = false;
  const update = async (taskId: string, priorAttempts: number): Promise<TaskResult | { failed: TaskResult }> => {
    let attempts = priorAttempts;
    try {
      await withRetry(() => {
        attempts += 1;
        return client.updateTask(entry.target, taskId, toCreateRequest(task, ids), retry.signal);
      }, retry);
    } catch (err) {
      if (isAuthFailure(err)) throw new AuthAbort(err as FdiError);
      if (err instanceof FdiError) return { failed: { ...failure(base, err), attempts, task_id: taskId } };
      throw err;
    }
    return { ...base, status: 'updated', task_id: taskId, attempts };
  };
  if (entry.action === 'create') {
    const out = await createExactlyOnce(client, entry.target, toCreateRequest(task, ids), { retry, stopping });
    if (out.status === 'failed') {
      const f = failure(base, out.error, out.note);
      return {
        result: {
          ...f,
          attempts: out.attempts,
          ...(out.unverified && f.error_code !== 'ABORTED' ? { error_code: 'UNVERIFIED' } : {}),
        },
        wrote: true,
      };
    }
    if (out.status === 'not_attempted') return { result: { ...base, attempts: out.attempts }, wrote: false };
    if (out.status === 'existing' && onExists === 'fail') {
      const msg = `a task named "${entry.name}" was created by someone else after planning (task ${out.task_id}) and on_exists is "fail"`;
      return {
        result: {
          ...base,
          status: 'failed',
          task_id: out.task_id,
          attempts: out.attempts,
          http_status: 400,
          error_code: 'CONFLICT',
          error_msg: msg,
        },
        wrote: true,
      };
    }
    if (out.status === 'existing' && onExists === 'update') {
      // Someone else's task appeared after planning: the manifest's definition is applied to it, as planning would have.
      const updated = await update(out.task_id, out.attempts);
      if ('failed' in updated) return { result: updated.failed, wrote: true };
      result = { ...updated, note: `${out.note}; updated to this manifest's definition` };
    } else {
      result = {
        ...base,
        status: out.status,
        task_id: out.task_id,
        attempts: out.attempts,
        ...(out.note ? { note: out.note } : {}),
      };
      created = out.status === 'created';
    }
  } else if (entry.action === 'update') {
    const updated = await update(entry.existing!.task_id, 0);
    if ('failed' in updated) return { result: updated.failed, wrote: true };
    result = updated;
  } else {
    result = { ...base, status: 'existing', task_id: entry.existing!.task_id };
  }
  const wrote = entry.action !== 'skip';
  if (task.schedule) {
    const o = await ensureDispatch(client, entry.target, result.task_id!, task.schedule, retry, created);
    if (!o.ok) return { result: stepFailure(result, 'schedule', o.error), wrote };
    result = { ...result, scheduled: true };
  }
  if (!task.start) return { result, wrote };
  if (!created && entry.existing?.status === 1) return { result: { ...result, started: true }, wrote };
  return { result, wrote, start: true };
}

/** The task exists but a later step failed: reported failed, so that failed.yaml re-runs it. */
function stepFailure(result: TaskResult, step: string, error: FdiError, throwOnAuth = true): TaskResult {
  if (throwOnAuth && isAuthFailure(error)) throw new AuthAbort(error);
  const f = failure(result, error);
  return { ...f, error_msg: `${step}: ${f.error_msg} (the task itself exists; a re-run finishes the ${step})` };
}
