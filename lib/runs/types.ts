/**
 * What `fdi-provision runs` shows of a run (README, "Runs"): the shape of its `--json` output. Pure
 * types; lib/runs/derive.ts builds them from what a store holds.
 */
import type { Counts, Operation, RequestedBy, RunStatus } from '../report/types.js';

/** A run's state: a report's status once it ended, `running` or `stalled` (no heartbeat for too long) before. */
export type RunView = 'running' | 'stalled' | RunStatus;

/** Where what is known of a run comes from. */
export type RunSource =
  /** Its report (`<report prefix><path>/<run-id>/report.json`): the run ended. */
  | 'report'
  /** The function's state folder (`<state prefix><path>/<upload-id>/lock.json`, heartbeat.json). */
  | 'function'
  /** A command-line run's live record (`<report root><path>/<run-id>.live.json`). */
  | 'cli';

/** One run in the list (`runs --json`: `runs[]`). Fields are always present; unknown ones are null. */
export interface RunSummary {
  run_id: string;
  /** The manifest as the run names it: `s3://bucket/key` or a local path. */
  manifest: string;
  operation: Operation;
  state: RunView;
  /** Tasks with a final result, of all the manifest's tasks; null before planning (and for an ended run without tasks). */
  progress: { done: number; total: number } | null;
  started_at: string;
  /** When the report says the run ended; null while it has not. */
  finished_at: string | null;
  /** Ended: the report's; running: until now; stalled: until its last heartbeat. */
  duration_ms: number;
  /** The last sign of life of a run that has not ended; null once it has. */
  heartbeat_at: string | null;
  /** The report's counts by task status; a live run's so far when its record holds them; else null. */
  counts: Partial<Counts> | null;
  /** Where the run's report folder is (a folder path or `s3://…/`); null until it is written. */
  report: string | null;
  source: RunSource;
}

/** One error code and how many tasks ended with it, with one of their messages. */
export interface TopError {
  code: string;
  tasks: number;
  example: string;
}

/** One run in detail (`runs <run-id> --json`). */
export interface RunDetail extends RunSummary {
  reason: string | null;
  notes: string[];
  requested_by: RequestedBy | null;
  /** The most frequent error codes of failed and invalid tasks, most frequent first (at most 10). */
  top_errors: TopError[];
  /** The manifest's own problems (a rejected run), located, as in the report. */
  errors: Array<{ message: string; line?: number | undefined; task?: string | undefined }>;
  /** The function's invocation that last beat (function runs); null otherwise. */
  invocation: number | null;
  /**
   * A stalled function run's next invocation when it is pending (its `<n>.continue` written and not yet
   * claimed, or `<n>.claim` taken by a delivery that has not beaten yet): the run goes on, and
   * `--watch` keeps watching. Null otherwise.
   */
  pending_invocation: number | null;
}

/** `runs --json`: a page of runs, newest first. */
export interface RunsPage {
  /** The store read (a folder or `s3://bucket[/prefix]`). */
  location: string;
  /** How many runs the store holds in all. */
  total: number;
  offset: number;
  limit: number;
  runs: RunSummary[];
}

/**
 * A command-line run's live record (`<report root><path>/<run-id>.live.json`, docs/RELIABILITY.md,
 * "Runs in progress"): written as the run starts and every few seconds, removed once it has ended. One
 * left behind, no longer rewritten, is a run killed before its end: `stalled`.
 */
export interface LiveRecord {
  run_id: string;
  manifest: string;
  operation: Operation;
  started_at: string;
  /** The last beat. */
  at: string;
  progress?: { done: number; total: number } | undefined;
  /** Final results so far, by task status. */
  counts?: Partial<Counts> | undefined;
  requested_by?: RequestedBy | undefined;
  /** The process writing it, to tell which command-line run it is. */
  pid: number;
  /** The writer's stale threshold: a reader judges the record stalled by it (absent in older records). */
  stale_after_ms?: number | undefined;
}
