/**
 * One task of the plan, carried out: its write (create exactly once, or update), then its schedule;
 * whether it still needs a start is for the executor, which batches starts. Every outcome is a value,
 * failures included; only a bug throws.
 */
import type { FdiClient } from '../fdi/client/client.js';
import { FdiError } from '../fdi/client/fdi-error.js';
import type { TaskDispatch, TaskResponse } from '../fdi/model/api.js';
import { appliedFrom, type AppliedTask } from '../plan/applied.js';
import { requestFingerprint } from '../plan/fingerprint.js';
import { toCreateRequest, type ExpandedTask } from '../manifest/index.js';
import { datasourceIds, type PlanEntry, type ScheduleAction } from '../plan/types.js';
import type { TaskResult } from '../report/types.js';
import { withRetry, type RetryContext } from '../traffic/with-retry.js';
import type { OnExists } from '../types.js';
import { createExactlyOnce } from './create-task.js';
import { ensureDispatch, updateDispatch, type ScheduleDone, type StepOutcome } from './post-steps.js';
import { runOnce } from './run-now.js';
import { beforeOf, failure, notAttempted, stepFailure, taskBase, type Prior } from './results.js';

/** What became of a task. */
export interface TaskOutcome {
  result: TaskResult;
  /** A write was attempted: the result counts towards the failure threshold. */
  wrote: boolean;
  /** The task exists and still has to be started. */
  start?: boolean;
  /** The error a failed step ended with; the executor stops the run when FDI refused the credentials. */
  error?: FdiError;
}

export interface TaskContext {
  client: FdiClient;
  retry: RetryContext;
  /** True once the run stops dispatching: a task waiting to retry its create gives up cleanly. */
  stopping: () => boolean;
  /** Decides what a task that someone else created after planning means. */
  onExists: OnExists;
  /** Takes the record of a write FDI answered (or a planned refresh of one), to keep (lib/plan/applied.ts). */
  applied?: ((entry: PlanEntry, record: AppliedTask) => void) | undefined;
  now: () => Date;
}

/**
 * A task after its write: `written` with the result so far (and whether this run created it a moment
 * ago) when the schedule and start follow, or `done` when its outcome is known already.
 */
type Written = { kind: 'written'; result: TaskResult; created: boolean };
type Step = Written | { kind: 'done'; outcome: TaskOutcome };

const done = (outcome: TaskOutcome): Step => ({ kind: 'done', outcome });
const written = (result: TaskResult, created: boolean): Step => ({ kind: 'written', result, created });

export async function runTask(task: ExpandedTask, entry: PlanEntry, ctx: TaskContext): Promise<TaskOutcome> {
  if (entry.action === 'invalid' || entry.action === 'conflict') return { result: notAttempted(entry), wrote: false };
  const base = taskBase(entry);
  const step = await write(task, entry, base, ctx);
  return step.kind === 'done' ? step.outcome : followUp(task, entry, step, ctx);
}

/** Create, update or keep the task, as planned. */
async function write(task: ExpandedTask, entry: PlanEntry, base: TaskResult, ctx: TaskContext): Promise<Step> {
  if (entry.action === 'skip') {
    if (entry.applied) ctx.applied?.(entry, entry.applied);
    return written({ ...base, status: 'existing', task_id: entry.existing!.task_id }, false);
  }
  if (entry.action === 'update') return update(task, entry, entry.existing!, base, 0, ctx);

  const body = toCreateRequest(task, datasourceIds(entry));
  const out = await createExactlyOnce(ctx.client, entry.target, body, ctx);
  if (out.status === 'created' && out.answer) remember(entry, requestFingerprint(body), out.answer, ctx);
  switch (out.status) {
    case 'failed': {
      const f = failure(base, out.error, out.note);
      const code = out.unverified && f.error_code !== 'ABORTED' ? { error_code: 'UNVERIFIED' } : {};
      return done({ result: { ...f, attempts: out.attempts, ...code }, wrote: true, error: out.error });
    }
    case 'not_attempted':
      return done({ result: { ...base, attempts: out.attempts }, wrote: false });
    case 'created':
      return written(
        { ...base, status: 'created', task_id: out.task_id, attempts: out.attempts, note: out.note },
        true,
      );
    case 'existing':
      break;
  }
  // Someone else created a task of this name after planning.
  if (ctx.onExists === 'fail') {
    const msg = `a task named "${entry.name}" was created by someone else after planning (task ${out.task_id}) and on_exists is "fail"`;
    const conflict = { status: 'failed', http_status: 400, error_code: 'CONFLICT', error_msg: msg } as const;
    return done({ result: { ...base, ...conflict, task_id: out.task_id, attempts: out.attempts }, wrote: true });
  }
  if (ctx.onExists === 'update') {
    // The manifest's definition is applied to it, as planning would have.
    const updated = await update(task, entry, out, base, out.attempts, ctx);
    if (updated.kind === 'done') return updated;
    return written({ ...updated.result, note: `${out.note}; updated to this manifest's definition` }, false);
  }
  return written({ ...base, status: 'existing', task_id: out.task_id, attempts: out.attempts, note: out.note }, false);
}

/** Rewrites `prior`, the task FDI holds under this name, to the manifest; the result names what it overwrote. */
async function update(
  task: ExpandedTask,
  entry: PlanEntry,
  prior: Prior,
  base: TaskResult,
  priorAttempts: number,
  ctx: TaskContext,
): Promise<Step> {
  const taskId = prior.task_id;
  let attempts = priorAttempts;
  const body = toCreateRequest(task, datasourceIds(entry));
  try {
    const answer = await withRetry(() => {
      attempts += 1;
      return ctx.client.updateTask(entry.target, taskId, body, ctx.retry.signal);
    }, ctx.retry);
    remember(entry, entry.bodyHash ?? requestFingerprint(body), answer, ctx);
  } catch (err) {
    if (!(err instanceof FdiError)) throw err;
    return done({ result: { ...failure(base, err), attempts, task_id: taskId }, wrote: true, error: err });
  }
  // Why it was rewritten, as planning judged it (docs/DRIFT.md): "drift unknown", changed in FDI, …
  const note = entry.action === 'update' ? entry.reason : undefined;
  const before = beforeOf(prior);
  return written({ ...base, status: 'updated', task_id: taskId, attempts, ...(note ? { note } : {}), before }, false);
}

/** Keeps the record of a write FDI answered with the task (lib/plan/applied.ts). */
function remember(entry: PlanEntry, requestHash: string, answer: TaskResponse, ctx: TaskContext): void {
  if (ctx.applied && answer?.task?.task_id) ctx.applied(entry, appliedFrom(requestHash, answer, ctx.now()));
}

/** After the write: the schedule, and whether a start is still needed — as planned, or made sure of. */
async function followUp(task: ExpandedTask, entry: PlanEntry, step: Written, ctx: TaskContext): Promise<TaskOutcome> {
  const wrote = entry.action !== 'skip';
  let result = step.result;
  // A create that found the task someone else made meanwhile goes off the plan: look before writing.
  const offPlan = entry.action === 'create' && !step.created;
  const schedule = offPlan ? task.schedule && 'ensure' : entry.schedule;
  if (task.schedule && schedule && schedule !== 'leave') {
    const o = await scheduleStep(schedule, entry, result.task_id!, task.schedule, ctx);
    if (!o.ok) return { result: stepFailure(result, 'schedule', o.error), wrote, error: o.error };
    result = { ...result, scheduled: true, schedule: o.done };
  }
  // run_now: only a task this run created or updated is run (docs/MANIFEST.md); one that was found is left alone.
  if (task.run_now && (step.created || result.status === 'updated')) {
    const o = await runOnce(ctx.client, entry.target, result.task_id!, step.created, ctx);
    if (!o.ok) return { result: stepFailure(result, 'run', o.error, o.note), wrote, error: o.error };
    result = { ...result, run: o.run, ...(o.note ? { note: result.note ? `${result.note}; ${o.note}` : o.note } : {}) };
  }
  const start = offPlan ? task.start && 'start' : entry.startAction;
  if (start === 'running') return { result: { ...result, started: true, start: 'running' }, wrote };
  return { result, wrote, start: start === 'start' };
}

/** The schedule's step as planned: create it, change it, leave it as it is, or look first. */
function scheduleStep(
  action: Exclude<ScheduleAction, 'leave'>,
  entry: PlanEntry,
  taskId: string,
  want: TaskDispatch,
  ctx: TaskContext,
): Promise<StepOutcome & { done?: ScheduleDone }> {
  switch (action) {
    case 'keep':
      return Promise.resolve({ ok: true, done: 'unchanged' });
    case 'update':
      return updateDispatch(ctx.client, entry.target, taskId, entry.dispatchId!, want, ctx.retry);
    case 'create':
      return ensureDispatch(ctx.client, entry.target, taskId, want, ctx.retry, true);
    case 'ensure':
      return ensureDispatch(ctx.client, entry.target, taskId, want, ctx.retry, false);
  }
}
