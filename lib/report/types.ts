/** Per-task results and the run report (SPEC §7). Plain data. */
import type { Target } from '../types.js';

export const TASK_STATUSES = ['created', 'updated', 'existing', 'failed', 'invalid', 'not_attempted'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** What happened to one task. Every task of the manifest has exactly one. */
export interface TaskResult {
  index: number;
  name: string;
  status: TaskStatus;
  task_id?: string;
  /** Create or update attempts (HTTP requests carrying this task's body). */
  attempts: number;
  http_status?: number;
  error_code?: string;
  error_msg?: string;
  line: number;
  target?: Target;
  /** A schedule was created or found for this TIMING task. */
  scheduled?: boolean;
  /** The task was started (or found running). */
  started?: boolean;
  /** How the outcome was established when it was not a plain answer (e.g. confirmed by a name lookup). */
  note?: string;
}

export type RunStatus = 'succeeded' | 'partial' | 'failed' | 'rejected' | 'aborted';

export interface ManifestError {
  message: string;
  line?: number;
  column?: number;
  file?: string;
  task?: string;
  hint?: string;
}

export interface Report {
  version: 1;
  run_id: string;
  manifest: { uri: string; etag?: string; sha256?: string };
  target?: { project_id?: string; instance_id?: string };
  status: RunStatus;
  /** Why a run was aborted or rejected, in one sentence. */
  reason?: string;
  started_at: string;
  finished_at: string;
  duration_ms: number;
  counts: Record<'total' | 'created' | 'updated' | 'existing' | 'failed' | 'invalid' | 'not_attempted', number>;
  stats: { requests: number; retries: number; throttled: number; effective_rate?: number };
  /** Notes about guarantees in force (e.g. no conditional writes on this store). */
  notes?: string[];
  errors: ManifestError[];
  tasks: TaskResult[];
}
