/**
 * Exactly-once delete (docs/DESTROY.md). DELETE of a task by its ID cannot make a second task go, but
 * its outcome can be in doubt: a 500, a reset or a timeout after the request was sent may have deleted
 * it. Before any retry of such a failure the name is looked up: gone (or held by another task ID, a
 * task someone made since) means this run deleted it; still there, the delete is repeated. A 404 after
 * an ambiguous attempt is success; a 404 at the first attempt means the task went before this run
 * deleted it. FDI refuses to delete a running task (FDI.3023): it is stopped, then deleted.
 */
import type { FdiClient } from '../fdi/client/client.js';
import { FdiError, isAuthFailure } from '../fdi/client/fdi-error.js';
import { ERROR_CODES } from '../fdi/model/api.js';
import { findTaskByName } from '../plan/reads.js';
import type { RetryContext } from '../traffic/with-retry.js';
import type { Target } from '../types.js';
import type { PlanEntry } from '../plan/types.js';
import type { StepOutcome } from './post-steps.js';
import { beforeOf, failure, notAttempted, taskBase } from './results.js';
import { doubtOf, waitToRetry } from './retry-wait.js';
import type { TaskOutcome } from './run-task.js';

export type DeleteOutcome =
  | { status: 'deleted'; attempts: number; note?: string | undefined }
  | { status: 'absent'; attempts: number; note: string }
  | { status: 'failed'; attempts: number; error: FdiError; note?: string | undefined; unverified?: boolean }
  | { status: 'not_attempted'; attempts: number };

export interface DeleteContext {
  retry: RetryContext;
  stopping: () => boolean;
  /** Stops the task (a batch stop); asked when FDI says it runs. */
  stop: (target: Target, taskId: string) => Promise<StepOutcome>;
}

/** True when FDI refuses a delete because the task runs. */
function isRunningRefusal(err: FdiError): boolean {
  return err.errorCode === ERROR_CODES.tasksRunning || /running/i.test(err.errorMsg ?? '');
}

export async function deleteExactlyOnce(
  client: FdiClient,
  target: Target,
  task: { task_id: string; name: string },
  ctx: DeleteContext,
): Promise<DeleteOutcome> {
  let ambiguous: string | undefined;
  let stopped = false;
  for (let attempts = 1; ; attempts++) {
    let error: FdiError;
    try {
      await client.deleteTask(target, task.task_id, ctx.retry.signal);
      return { status: 'deleted', attempts, ...(ambiguous && { note: `deleted on a retry after ${ambiguous}` }) };
    } catch (err) {
      if (!(err instanceof FdiError)) throw err;
      error = err;
    }
    if (isAuthFailure(error)) return { status: 'failed', attempts, error };
    if (error.kind === 'aborted') {
      const note = 'aborted in flight; the task may or may not be deleted: a re-run will find out by name';
      return { status: 'failed', attempts, error, unverified: true, note };
    }
    if (error.status === 404) {
      if (ambiguous) return { status: 'deleted', attempts, note: `confirmed gone (404) after ${ambiguous}` };
      return { status: 'absent', attempts, note: 'gone before this run deleted it (404)' };
    }
    if (error.status === 400 && isRunningRefusal(error) && !stopped) {
      // It was started after planning: stop it, then delete it.
      stopped = true;
      const halt = await ctx.stop(target, task.task_id);
      if (!halt.ok) return { status: 'failed', attempts, error: halt.error, note: 'running, and stopping it failed' };
      continue;
    }
    if (error.mayHaveReachedServer) {
      ambiguous ??= doubtOf(error);
      const settled = await lookUp(client, target, task, ambiguous, attempts, error, ctx);
      if (settled) return settled;
    }
    const wait = await waitToRetry(error, attempts, ctx);
    if (wait === 'exhausted') return { status: 'failed', attempts, error };
    if (wait === 'stopping') return { status: 'not_attempted', attempts };
    if (wait === 'interrupted') {
      return { status: 'failed', attempts, error, unverified: true, note: 'interrupted while the delete was in doubt' };
    }
  }
}

/** After an ambiguous failure: is the task still there? Undefined when it is (the delete is repeated). */
async function lookUp(
  client: FdiClient,
  target: Target,
  task: { task_id: string; name: string },
  after: string,
  attempts: number,
  error: FdiError,
  ctx: DeleteContext,
): Promise<DeleteOutcome | undefined> {
  let found;
  try {
    found = await findTaskByName(client, target, task.name, ctx.retry);
  } catch (lookupErr) {
    if (isAuthFailure(lookupErr)) return { status: 'failed', attempts, error: lookupErr as FdiError };
    const note = 'the outcome is unknown and the name lookup failed; re-run to resolve';
    return { status: 'failed', attempts, error, unverified: true, note };
  }
  if (!found) return { status: 'deleted', attempts, note: `confirmed gone by name lookup after ${after}` };
  if (found.task_id !== task.task_id) {
    return {
      status: 'deleted',
      attempts,
      note: `confirmed gone by name lookup after ${after}; a task of this name with another ID (${found.task_id}) was created since, and left alone`,
    };
  }
  return undefined;
}

/** One task of a destroy plan, carried out: left alone (absent, foreign), or stopped if it runs and deleted. */
export async function destroyTask(client: FdiClient, entry: PlanEntry, ctx: DeleteContext): Promise<TaskOutcome> {
  const base = taskBase(entry);
  switch (entry.action) {
    case 'absent':
      return { result: { ...base, status: 'absent', note: entry.reason }, wrote: false };
    case 'foreign':
      return {
        result: { ...base, status: 'foreign', task_id: entry.existing?.task_id, note: entry.reason },
        wrote: false,
      };
    case 'delete':
      break;
    default:
      return { result: notAttempted(entry), wrote: false };
  }
  const existing = entry.existing!;
  const before = beforeOf(existing);
  if (existing.status === 1) {
    const halt = await ctx.stop(entry.target, existing.task_id);
    if (!halt.ok) {
      const f = failure({ ...base, task_id: existing.task_id }, halt.error);
      return { result: { ...f, error_msg: `stop: ${f.error_msg}`, before }, wrote: true, error: halt.error };
    }
  }
  const out = await deleteExactlyOnce(client, entry.target, { task_id: existing.task_id, name: entry.name }, ctx);
  const done = { ...base, task_id: existing.task_id, attempts: out.attempts, before };
  switch (out.status) {
    case 'deleted':
      return { result: { ...done, status: 'deleted', ...(out.note && { note: out.note }) }, wrote: true };
    case 'absent':
      return { result: { ...done, status: 'absent', note: out.note }, wrote: true };
    case 'not_attempted':
      return { result: { ...base, attempts: out.attempts }, wrote: false };
    case 'failed': {
      const f = failure(done, out.error, out.note);
      const code = out.unverified && f.error_code !== 'ABORTED' ? { error_code: 'UNVERIFIED' } : {};
      return { result: { ...f, ...code }, wrote: true, error: out.error };
    }
  }
}
