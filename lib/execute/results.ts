/**
 * The per-task results of execution, built in one place: what a task is before it is attempted,
 * what a failure looks like, and which results a later invocation must not redo.
 */
import type { FdiError } from '../fdi/client/fdi-error.js';
import type { CompiledManifest } from '../manifest/index.js';
import { resolveTarget, type TargetDefaults } from '../plan/targets.js';
import type { PlanEntry } from '../plan/types.js';
import type { TaskResult } from '../report/types.js';

/**
 * A task as it stands before execution reaches it, the one form for a plan, a rejected run and the
 * tasks a stopped run never reached: `invalid` with its problem (`INVALID`), else `not_attempted` —
 * a conflict with its reason as the error (`CONFLICT`), any other planned action with its reason
 * as a note (`planned: update — exists and differs from the manifest`).
 */
export function notAttempted(e: PlanEntry): TaskResult {
  const base = taskBase(e);
  if (e.action === 'invalid') return { ...base, status: 'invalid', error_code: 'INVALID', error_msg: e.reason ?? '' };
  if (e.action === 'conflict') return { ...base, error_code: 'CONFLICT', error_msg: e.reason ?? '' };
  return { ...base, note: e.reason ? `planned: ${e.action} — ${e.reason}` : undefined };
}

/** The results of a plan before execution: what earlier invocations settled, the rest as planned. */
export function plannedResults(entries: readonly PlanEntry[], earlier?: ReadonlyMap<number, TaskResult>): TaskResult[] {
  return entries.map((e) => earlier?.get(e.index) ?? notAttempted(e));
}

/**
 * Every task of a manifest as not attempted, for a run that stopped before it had a plan (FDI refused
 * the credentials, its listings kept failing, a task has no target): the report still accounts for
 * each task, with its target where it has one, and keeps what earlier invocations of the run settled.
 */
export function allNotAttempted(
  manifest: CompiledManifest,
  defaults: TargetDefaults,
  earlier?: ReadonlyMap<number, TaskResult>,
): TaskResult[] {
  const results: TaskResult[] = [];
  for (const task of manifest.tasks()) {
    const settled = earlier?.get(task.index);
    if (settled) {
      results.push(settled);
      continue;
    }
    const target = resolveTarget(task.target, defaults);
    results.push({
      index: task.index,
      name: task.name,
      status: 'not_attempted',
      attempts: 0,
      line: task.line,
      target: typeof target === 'string' ? undefined : target,
    });
  }
  return results;
}

/** What every result of a task starts from: who it is, and nothing done yet. */
export function taskBase(e: PlanEntry): TaskResult {
  return { index: e.index, name: e.name, status: 'not_attempted', attempts: 0, line: e.line, target: e.target };
}

/** A task FDI held before a write: its ID and, when FDI gave it, its modification time (epoch ms). */
export interface Prior {
  task_id: string;
  modified?: number | undefined;
}

/** Latest time a Date can hold (ms either side of 1970): beyond it, toISOString throws. */
const MAX_DATE_MS = 8.64e15;

/**
 * What a result says of the task a run overwrote (TaskResult.before): its ID, and when FDI last showed
 * it modified, in ISO 8601 (left out when FDI gave no usable time).
 */
export function beforeOf(prior: Prior): NonNullable<TaskResult['before']> {
  const ms = prior.modified;
  const usable = ms !== undefined && Number.isFinite(ms) && Math.abs(ms) <= MAX_DATE_MS;
  return { task_id: prior.task_id, modified: usable ? new Date(ms).toISOString() : undefined };
}

/** A failed step of a task: the error's report fields, `ABORTED` for a request cut off by a stop. */
export function failure(base: TaskResult, error: FdiError, note?: string): TaskResult {
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

/** The task exists but a later step failed: reported failed, so that failed.yaml re-runs it. */
export function stepFailure(
  result: TaskResult,
  step: 'schedule' | 'start' | 'run',
  error: FdiError,
  note?: string,
): TaskResult {
  const f = failure(result, error);
  const finish =
    step === 'run'
      ? 'the task itself exists; run it by hand (a re-run runs only the tasks it creates or updates)'
      : `the task itself exists; a run with on_exists: update finishes the ${step}`;
  return { ...f, error_msg: `${step}: ${f.error_msg} (${note ? `${note}; ` : ''}${finish})` };
}

/** Error codes of failures whose outcome is unknown: the task may exist. */
const UNVERIFIED_CODES: ReadonlySet<string> = new Set(['ABORTED', 'UNVERIFIED']);

/** A result is final when a later invocation must not redo it (an unknown outcome is looked up again). */
export function isFinal(r: TaskResult): boolean {
  return r.status !== 'not_attempted' && !(r.status === 'failed' && UNVERIFIED_CODES.has(r.error_code ?? ''));
}
