/** Per-task results and the run report (README, "Reports and storage layout"). Plain data. */
import type { Target } from '../types.js';

/** What a run does with a manifest's tasks: provision them, or remove them again (docs/DESTROY.md). */
export type Operation = 'apply' | 'destroy';

/** The statuses a task of an apply run can end in. */
export const TASK_STATUSES = ['created', 'updated', 'existing', 'failed', 'invalid', 'not_attempted'] as const;
/** The statuses a task of a destroy run can end in. */
export const DESTROY_STATUSES = ['deleted', 'absent', 'foreign', 'failed', 'invalid', 'not_attempted'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number] | (typeof DESTROY_STATUSES)[number];

/** The statuses an operation's report counts. */
export function statusesOf(operation: Operation): readonly TaskStatus[] {
  return operation === 'destroy' ? [...new Set([...TASK_STATUSES, ...DESTROY_STATUSES])] : TASK_STATUSES;
}

/**
 * A report's counts: the total and one count per status. Every report counts the statuses of an
 * apply run; a destroy run's also counts deleted, absent and foreign.
 */
export type Counts = Record<'total' | (typeof TASK_STATUSES)[number], number> &
  Partial<Record<(typeof DESTROY_STATUSES)[number], number>>;

/** What happened to one task. Every task of the manifest has exactly one. */
export interface TaskResult {
  index: number;
  name: string;
  status: TaskStatus;
  task_id?: string | undefined;
  /** Create or update attempts (HTTP requests carrying this task's body). */
  attempts: number;
  http_status?: number | undefined;
  error_code?: string | undefined;
  error_msg?: string | undefined;
  line: number;
  target?: Target | undefined;
  /** A schedule was created or found for this TIMING task. */
  scheduled?: boolean | undefined;
  /** What its schedule step did: created, updated, or found as the manifest gives it. */
  schedule?: 'created' | 'updated' | 'unchanged' | undefined;
  /** `started` by this run, or found `running`. */
  start?: 'started' | 'running' | undefined;
  /** The task was started (or found running). */
  started?: boolean | undefined;
  /**
   * `run_now` (docs/MANIFEST.md): `triggered` when this run triggered one execution, `running` when
   * FDI said an execution was running already. Absent when the task was not run.
   */
  run?: 'triggered' | 'running' | undefined;
  /** What `apply --verify` saw of the task's latest execution (docs/VERIFY.md); absent when not verified. */
  execution?: Execution | undefined;
  /** How the outcome was established when it was not a plain answer (e.g. confirmed by a name lookup). */
  note?: string | undefined;
  /**
   * The task as FDI held it before this run overwrote it (docs/SECURITY.md, "Who did what"): set on
   * every `updated` result, whose ID after is `task_id`; absent for a task the run created or left as
   * it was. `modified`: when FDI last showed it modified before the run (ISO 8601), when FDI said.
   */
  before?: { task_id: string; modified?: string | undefined } | undefined;
}

/** The states `apply --verify` reports a task's execution in (docs/VERIFY.md). */
export const EXECUTION_STATES = ['succeeded', 'failed', 'running', 'not yet run'] as const;
export type ExecutionState = (typeof EXECUTION_STATES)[number];

/** A verified task's latest execution, as FDI's task monitor showed it (docs/VERIFY.md). */
export interface Execution {
  state: ExecutionState;
  /** Whether this state counts as healthy: a success, or a REALTIME task's stream running. */
  healthy: boolean;
  /** FDI's `execute_status` of the execution (or of the task's monitor entry when no execution was shown). */
  execute_status?: string | undefined;
  /** FDI's trace ID of the execution. */
  id?: string | undefined;
  /** When it began (ISO 8601, FDI's clock). */
  started_at?: string | undefined;
  /** Rows written, and rows rejected (dirty data). */
  data_count?: number | undefined;
  dirty_data_count?: number | undefined;
  /** FDI's `remarks`: why a failed execution failed. */
  remarks?: string | undefined;
  /** Why verification could not tell more (a read that failed, the deadline). */
  note?: string | undefined;
}

/** The `verify` part of report.json: how the verified wave stands (docs/VERIFY.md). */
export interface VerifySummary {
  /** How long verification was allowed to wait, in seconds. */
  timeout_s: number;
  /** When it had to stop at the latest (ISO 8601). */
  deadline: string;
  /** How long it waited (not counted in the effective rate). */
  duration_ms: number;
  /** How it ended: every verified execution settled, the deadline came, or the run was stopped. */
  ended: 'settled' | 'deadline' | 'stopped';
  /** Tasks verified. */
  tasks: number;
  /** Tasks per execution state. */
  counts: Record<ExecutionState, number>;
  /** Every verified execution healthy: the exit code is 0 only then (when the run itself succeeded). */
  healthy: boolean;
  /** Why it stopped early or could not read, when it did. */
  note?: string | undefined;
}

export type RunStatus = 'succeeded' | 'partial' | 'failed' | 'rejected' | 'aborted';

export interface ManifestError {
  message: string;
  line?: number | undefined;
  column?: number | undefined;
  file?: string | undefined;
  task?: string | undefined;
  hint?: string | undefined;
}

/**
 * Who asked for a run, as the platform reports it (docs/SECURITY.md, "Who did what"): for an upload,
 * the event's user identity and source address; for the command line, the local user and host.
 * What the platform says, not proof: a local user name is whatever the machine says it is.
 */
export interface RequestedBy {
  /** How the request came: an upload event of S3, of OBS (its own form or the S3 form), a CloudEvent, or the command line. */
  via: 's3-event' | 'obs-event' | 'cloudevent' | 'cli';
  /** The event's user identity (S3 `userIdentity.principalId`, OBS `userIdentity.ID`). */
  principal?: string | undefined;
  /** The address the upload came from (`requestParameters.sourceIPAddress`). */
  source_ip?: string | undefined;
  /** When the platform says the upload happened (`eventTime`). */
  event_time?: string | undefined;
  /** The command line's local user and host. */
  user?: string | undefined;
  host?: string | undefined;
}

/** Which rule of the operator's policy governed a run (docs/SECURITY.md). */
export interface PolicyApplied {
  /** `FDI_POLICY`, or the policy object's `s3://bucket/key`. */
  origin: string;
  /** The prefix of the rule that governed the manifest; absent when no rule covers it. */
  rule?: string | undefined;
}

export interface Report {
  version: 1;
  run_id: string;
  /** `destroy` for a destroy run; apply runs say `apply`. */
  operation: Operation;
  manifest: {
    uri: string;
    etag?: string | undefined;
    /** The object version the upload event named (buckets with versioning). */
    version_id?: string | undefined;
    sha256?: string | undefined;
  };
  requested_by?: RequestedBy | undefined;
  /** The operator's policy in force; absent when none is set. */
  policy?: PolicyApplied | undefined;
  /** For a run of a failed.yaml: the manifest and run it retries, and the report folder they share. */
  retry_of?: { manifest: string; run_id: string; path: string } | undefined;
  target?: { project_id?: string | undefined; instance_id?: string | undefined } | undefined;
  status: RunStatus;
  /** Why a run was aborted or rejected, in one sentence. */
  reason?: string | undefined;
  started_at: string;
  finished_at: string;
  duration_ms: number;
  counts: Counts;
  /** The writes after a task's own: schedules created, updated or found as given, and tasks started. */
  steps: {
    schedules_created: number;
    schedules_updated: number;
    schedules_unchanged: number;
    started: number;
    /** Executions triggered by `run_now`; present when there was one. */
    runs_triggered?: number | undefined;
  };
  /** `apply --verify` (docs/VERIFY.md): how the executions of the started and run tasks stand. */
  verify?: VerifySummary | undefined;
  stats: { requests: number; retries: number; throttled: number; effective_rate?: number | undefined };
  /** Requests and progress over the run, for report.html's charts; absent in a run that sent nothing. */
  timeline?: Timeline | undefined;
  /** Notes about guarantees in force (e.g. no conditional writes on this store). */
  notes?: string[] | undefined;
  errors: ManifestError[];
  tasks: TaskResult[];
}

/**
 * What the run did over time (README, "Reports and storage layout"): one point per `step_s` seconds from
 * `start`, the run's start. Each series has one number per point, all of equal length:
 * - `accepted`: requests answered with success;
 * - `throttled`: requests answered 429;
 * - `failed`: requests answered with another error, or that got no answer;
 * - `retried`: retries begun (a request sent again after a failure);
 * - `done`: tasks whose final result came in.
 * The step is 1 s, doubled as often as it takes to keep at most 1,800 points; an invocation that
 * resumes a run (a continuation) adds to the same timeline, leaving zeros for the gap between them.
 */
export interface Timeline {
  start: string;
  step_s: number;
  accepted: number[];
  throttled: number[];
  failed: number[];
  retried: number[];
  done: number[];
}
