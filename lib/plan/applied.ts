/**
 * The record of what this product last applied to each task, and what it lets planning conclude
 * without guessing the form FDI shows `task_detail` in (docs/DRIFT.md). Pure: the record is read and
 * written by lib/storage/applied-store.ts.
 *
 * FDI answers a task's detail in its own response form (RawFormDataResponse), which cannot be
 * compared with the request form a manifest renders. What can be compared is FDI's answer with FDI's
 * own earlier answer: when this product creates or updates a task it keeps the fingerprint of the body
 * it sent (`request`), the fingerprint of the task as FDI answered that write (`shown`) and the task's
 * modification time. Later:
 *
 * - the manifest renders the same body and the listing shows the same modification time: unchanged,
 *   with no read of the task;
 * - otherwise the task is read: FDI still shows what it showed after our write, so nobody changed it,
 *   and the manifest alone decides; or FDI shows something else, and the task changed elsewhere;
 * - without a record, only what can be compared counts, and what cannot is "drift unknown".
 *
 * Losing the record costs reads or writes, never a wrong answer.
 */
import type { BriefTask, TaskResponse } from '../fdi/model/api.js';
import type { AppliedTask, AppliedTasks } from '../types.js';
import { existingFingerprint } from './fingerprint.js';

export type { AppliedTask, AppliedTasks };

/** The record of a write FDI answered with the task (create, update, or the read-back after one). */
export function appliedFrom(requestHash: string, answer: TaskResponse, at: Date): AppliedTask {
  return {
    task_id: answer.task.task_id,
    request: requestHash,
    shown: existingFingerprint(answer),
    modified: finite(answer.task.last_modified_date),
    at: at.toISOString(),
  };
}

/** The record, when it is about this very task (a task deleted and created again is another task). */
export function recordOf(records: AppliedTasks | undefined, listed: BriefTask): AppliedTask | undefined {
  const r = records?.get(listed.task_name);
  return r && r.task_id === listed.task_id ? r : undefined;
}

/** An existing task as the listing shows it: its ID and modification time. */
export interface Listed {
  task_id: string;
  modified?: number | undefined;
}

/** The listing's modification time of a task, when it gives a usable one. */
export function listedModified(listed: BriefTask): number | undefined {
  return finite(listed.last_modified_time);
}

/**
 * Unchanged without reading the task: the manifest renders what was last applied, and FDI lists the
 * task with the modification time it had then.
 */
export function unchangedByRecord(record: AppliedTask | undefined, listed: Listed, requestHash: string): boolean {
  return (
    record !== undefined &&
    record.request === requestHash &&
    listed.modified !== undefined &&
    record.modified === listed.modified
  );
}

/** What a read of the task tells, against the record and the manifest. */
export type Verdict =
  /** FDI shows what the manifest renders (compared, or known from the record). */
  | { kind: 'unchanged'; record: AppliedTask }
  /** The manifest changed since the last apply, and nobody else touched the task. */
  | { kind: 'manifest-changed' }
  /** FDI's task changed since this product applied it: someone edited it. */
  | { kind: 'drifted' }
  /** FDI shows something comparable that differs from the manifest. */
  | { kind: 'differs' }
  /** Neither comparable nor recorded: cannot tell whether it differs. */
  | { kind: 'unknown' };

/**
 * Judges a task read from FDI. `comparable` says whether the shown detail is in the form sent (then
 * `identical` is the comparison's answer); `fieldsDiffer` whether the task's own fields differ, and
 * `valuesKept` whether every value sent appears in the shown detail: both can always be compared.
 */
export function judge(
  shown: TaskResponse,
  listed: Listed,
  record: AppliedTask | undefined,
  want: {
    requestHash: string;
    comparable: boolean;
    identical: boolean;
    valuesKept: boolean;
    fieldsDiffer: boolean;
    at: Date;
  },
): Verdict {
  const shownHash = existingFingerprint(shown);
  const fresh = (request: string): AppliedTask => ({
    task_id: listed.task_id,
    request,
    shown: shownHash,
    modified: listed.modified ?? finite(shown.task.last_modified_date),
    at: want.at.toISOString(),
  });
  if (record && record.shown === shownHash) {
    // FDI holds what it held after this product's last write.
    if (record.request === want.requestHash) return { kind: 'unchanged', record: fresh(record.request) };
    return { kind: 'manifest-changed' };
  }
  if (want.comparable && want.identical && !want.fieldsDiffer)
    return { kind: 'unchanged', record: fresh(want.requestHash) };
  // FDI holds something else than after this product's last write: someone changed it.
  if (record) return { kind: 'drifted' };
  // A task field, or a value of the detail the shown one lacks (valuesKept is the comparison itself when
  // the forms are alike): it differs, whatever the form.
  if (want.fieldsDiffer || !want.valuesKept) return { kind: 'differs' };
  return { kind: 'unknown' };
}

function finite(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
