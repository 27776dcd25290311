/** The plan: one action per task, decided before any write (plain data; `apply` executes it). */
import type { TaskDispatchRsp } from '../fdi/model/api.js';
import type { Target } from '../types.js';
import type { AppliedTask } from './applied.js';
import type { Change } from './diff.js';

/**
 * Apply: `create`, `skip`, `update`, `conflict`, `invalid`. Destroy (docs/DESTROY.md): `delete` a task
 * that is the manifest's, leave an `absent` one, leave a `foreign` one (another definition under the name).
 */
export type PlanAction = 'create' | 'skip' | 'update' | 'conflict' | 'invalid' | 'delete' | 'absent' | 'foreign';

/** What comparing an existing task with the manifest told (PlanEntry.compared). */
export type Compared = 'unchanged' | 'update' | 'drift unknown';

/**
 * What happens to a task's schedule: `create` it, `update` it to the manifest, `keep` it (it is the
 * manifest's already), `leave` it alone (`on_exists: skip`), or `ensure` it (look, then create or
 * update: a task a stopped invocation of the run may have created). Absent when the manifest gives none.
 */
export type ScheduleAction = 'create' | 'update' | 'keep' | 'leave' | 'ensure';

/** What happens to its state: `start` it, it is `running` already, or `leave` it alone. Absent without `start: true`. */
export type StartAction = 'start' | 'running' | 'leave';

export interface PlanEntry {
  index: number;
  name: string;
  line: number;
  target: Target;
  action: PlanAction;
  /** Why: the problem of an invalid task, the conflict, what an update changes. */
  reason?: string | undefined;
  /** An invalid task's problems, where the manifest writes what is wrong (collapsed into `Plan.problems`). */
  problems?: PlanProblem[] | undefined;
  /** For a conflict with a task of another kind under this name: what it is (a composite task …). */
  otherKind?: string | undefined;
  /** The task already in FDI under this name (`modified`: the listing's modification time). */
  existing?: { task_id: string; status: 0 | 1; modified?: number | undefined };
  /**
   * Under `on_exists: update`, what comparing the existing task told (docs/DRIFT.md): `unchanged`, `update`
   * (it differs, or changed in FDI since it was last applied), or `drift unknown` (FDI's form cannot be
   * compared and there is no record of the last apply: it is rewritten once, so that it can be from then on).
   */
  compared?: Compared | undefined;
  /** The record of this product's last apply to the existing task, to judge it by once it is shown. */
  record?: AppliedTask | undefined;
  /** The record of the last apply to keep for this task when the run goes ahead (a refreshed one). */
  applied?: AppliedTask | undefined;
  /** Resolved data-source IDs (absent when unresolved: the task is then invalid). */
  source_datasource_id?: string | undefined;
  target_datasource_id?: string | undefined;
  /** For `update`: SHA-256 of the create body that would be sent, to compare with the existing task without keeping the body. */
  bodyHash?: string | undefined;
  hasSchedule: boolean;
  start: boolean;
  schedule?: ScheduleAction | undefined;
  /** The existing schedule an `update` changes. */
  dispatchId?: string | undefined;
  startAction?: StartAction | undefined;
  /** For an update (of the task or its schedule): what differs, field by field. */
  changes?: Change[] | undefined;
}

/** A problem planning found in what a task gives (a data-source name, an ID), at its place in the manifest. */
export interface PlanProblem {
  message: string;
  hint?: string | undefined;
  line?: number | undefined;
  column?: number | undefined;
}

export interface Plan {
  entries: PlanEntry[];
  /** Existing tasks and planned creates per instance, against the instance quota. */
  quota: Array<{ target: Target; existing: number; creates: number; limit: number }>;
  /** Problems that reject the whole run before any write (quota, conflicts). */
  blockers: string[];
  /** The invalid tasks' problems, each once with the tasks it concerns, at its place in the manifest. */
  problems: Array<PlanProblem & { tasks: string[] }>;
}

/** The data-source IDs planning resolved for a task (both are set for every task that is not invalid). */
export function datasourceIds(entry: PlanEntry): { source: string; target: string } {
  return { source: entry.source_datasource_id!, target: entry.target_datasource_id! };
}

/** A schedule FDI holds: one with an ID to update it by (lib/plan/reads.ts, findDispatch). */
export type ExistingDispatch = TaskDispatchRsp & { dispatch_id: string };
