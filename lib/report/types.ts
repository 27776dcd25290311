/** Per-task results and the run report (README, "Reports and storage layout"). Plain data. */
import type { Target } from '../types.js';

export const TASK_STATUSES = ['created', 'updated', 'existing', 'failed', 'invalid', 'not_attempted'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

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
  /** How the outcome was established when it was not a plain answer (e.g. confirmed by a name lookup). */
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

export interface Report {
  version: 1;
  run_id: string;
  manifest: { uri: string; etag?: string | undefined; sha256?: string | undefined };
  /** For a run of a failed.yaml: the manifest and run it retries, and the report folder they share. */
  retry_of?: { manifest: string; run_id: string; path: string } | undefined;
  target?: { project_id?: string | undefined; instance_id?: string | undefined } | undefined;
  status: RunStatus;
  /** Why a run was aborted or rejected, in one sentence. */
  reason?: string | undefined;
  started_at: string;
  finished_at: string;
  duration_ms: number;
  counts: Record<'total' | 'created' | 'updated' | 'existing' | 'failed' | 'invalid' | 'not_attempted', number>;
  /** The writes after a task's own: schedules created, updated or found as given, and tasks started. */
  steps: { schedules_created: number; schedules_updated: number; schedules_unchanged: number; started: number };
  stats: { requests: number; retries: number; throttled: number; effective_rate?: number | undefined };
  /** Notes about guarantees in force (e.g. no conditional writes on this store). */
  notes?: string[] | undefined;
  errors: ManifestError[];
  tasks: TaskResult[];
}
