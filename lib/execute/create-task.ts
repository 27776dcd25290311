/**
 * Exactly-once create. There is no idempotency key on create, so a 500, a timeout or a reset after the
 * request was sent is ambiguous: the task may exist. Before any retry of such a failure, and after a
 * "name already exists" answer, the name is looked up; found means it exists, and a create is never
 * repeated while its outcome is unknown. Whose it is: after "already exists" alone, someone else's;
 * after an ambiguous failure, ours if it is defined as we sent it (read back and compared; see
 * lib/plan/fingerprint.ts for what can be compared), else someone else's, created with a different
 * definition while ours was in doubt.
 */
import type { FdiClient } from '../fdi/client/client.js';
import type { Target } from '../types.js';
import { FdiError, isAuthFailure, isNameTaken } from '../fdi/client/fdi-error.js';
import type { CreateTaskRequest, TaskResponse } from '../fdi/model/api.js';
import { listedModified } from '../plan/applied.js';
import { sameDefinition } from '../plan/fingerprint.js';
import { findTaskByName } from '../plan/reads.js';
import { type RetryContext, withRetry } from '../traffic/with-retry.js';
import { doubtOf, waitToRetry } from './retry-wait.js';

export type CreateOutcome =
  /** `answer`: the task as FDI answered the create, or as read back after an ambiguous one. */
  | { status: 'created'; task_id: string; attempts: number; note?: string; answer?: TaskResponse }
  /** `modified`: when FDI last showed the found task modified (epoch ms), if it said: what an update overwrites. */
  | { status: 'existing'; task_id: string; attempts: number; note: string; modified?: number | undefined }
  | { status: 'failed'; attempts: number; error: FdiError; note?: string; unverified?: boolean }
  | { status: 'not_attempted'; attempts: number; error?: FdiError };

export interface CreateContext {
  retry: RetryContext;
  /** True once the run stops dispatching (deadline, threshold): a task waiting to retry gives up cleanly. */
  stopping: () => boolean;
}

export async function createExactlyOnce(
  client: FdiClient,
  target: Target,
  body: CreateTaskRequest,
  ctx: CreateContext,
): Promise<CreateOutcome> {
  let ambiguous = false;
  for (let attempts = 1; ; attempts++) {
    let error: FdiError;
    try {
      const res = await client.createTask(target, body, ctx.retry.signal);
      return { status: 'created', task_id: res.task.task_id, attempts, answer: res };
    } catch (err) {
      if (!(err instanceof FdiError)) throw err;
      // Credentials FDI refused even after a refresh: the executor stops the run on this failure.
      if (isAuthFailure(err)) return { status: 'failed', attempts, error: err };
      error = err;
    }
    if (error.kind === 'aborted') {
      const note = 'aborted in flight; the task may or may not exist: a re-run will find out by name';
      return { status: 'failed', attempts, error, unverified: true, note };
    }
    if (isNameTaken(error) || error.mayHaveReachedServer) {
      ambiguous ||= error.mayHaveReachedServer;
      const settled = await lookUp(client, target, body, { error, ambiguous, attempts }, ctx);
      if (settled) return settled;
    }
    const wait = await waitToRetry(error, attempts, ctx);
    if (wait === 'exhausted') return { status: 'failed', attempts, error };
    if (wait !== 'retry') return { status: 'not_attempted', attempts, error };
  }
}

/**
 * The create may have happened (or the name is taken): look the name up before anything else.
 * Found, the task is someone else's after a plain "already exists", and read back after an
 * ambiguous failure. Undefined when the name is free: the create may be repeated.
 */
async function lookUp(
  client: FdiClient,
  target: Target,
  body: CreateTaskRequest,
  failed: { error: FdiError; ambiguous: boolean; attempts: number },
  ctx: CreateContext,
): Promise<CreateOutcome | undefined> {
  const { error, attempts } = failed;
  let found;
  try {
    found = await findTaskByName(client, target, body.task.task_name, ctx.retry);
  } catch (lookupErr) {
    if (isAuthFailure(lookupErr)) return { status: 'failed', attempts, error: lookupErr as FdiError, unverified: true };
    // Unknown outcome and no way to check: never create blindly. A re-run (or the next invocation
    // of this run) resolves it by name.
    const note = 'the outcome is unknown and the name lookup failed; re-run to resolve';
    return { status: 'failed', attempts, error, unverified: true, note };
  }
  if (!found) return undefined;
  const listed = { task_id: found.task_id, modified: listedModified(found) };
  if (!failed.ambiguous) {
    return { status: 'existing', ...listed, attempts, note: 'created by someone else after planning' };
  }
  return attribute(client, target, body, listed, attempts, doubtOf(error), ctx);
}

/** After an ambiguous failure, the found task is ours when its definition is the one we sent. */
async function attribute(
  client: FdiClient,
  target: Target,
  body: CreateTaskRequest,
  found: { task_id: string; modified?: number | undefined },
  attempts: number,
  after: string,
  ctx: CreateContext,
): Promise<CreateOutcome> {
  const taskId = found.task_id;
  let shown;
  try {
    shown = await withRetry(() => client.showTask(target, taskId, ctx.retry.signal), ctx.retry);
  } catch (err) {
    if (isAuthFailure(err)) return { status: 'failed', attempts, error: err as FdiError };
    return {
      status: 'created',
      task_id: taskId,
      attempts,
      note: `confirmed by name lookup after ${after}; its definition could not be read back`,
    };
  }
  // An answer that cannot be compared: as before the read-back, the lookup decides.
  if (sameDefinition(shown, body) ?? true)
    return {
      status: 'created',
      task_id: taskId,
      attempts,
      note: `confirmed by name lookup after ${after}`,
      answer: shown,
    };
  const shownModified = shown.task?.last_modified_date;
  return {
    status: 'existing',
    task_id: taskId,
    attempts,
    modified: found.modified ?? (Number.isFinite(shownModified) ? shownModified : undefined),
    note: `after ${after}, a task of this name was found with a different definition: someone else created it while this create was in doubt`,
  };
}
