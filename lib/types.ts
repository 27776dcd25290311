/**
 * The domain words every stage shares, defined once (docs/ARCHITECTURE.md, "Shared types"). Plain
 * data; no stage's logic lives here.
 */

/** Where tasks live: a project and a ROMA Connect instance. */
export interface Target {
  project_id: string;
  instance_id: string;
}

/** The key of a target in maps: `project/instance`. */
export function targetKey(t: Target): string {
  return `${t.project_id}/${t.instance_id}`;
}

/** What a manifest asks for when a task of the same name already exists (docs/MANIFEST.md). */
export const ON_EXISTS = ['skip', 'update', 'fail'] as const;
export type OnExists = (typeof ON_EXISTS)[number];

/**
 * Why a run stopped dispatching before the end: the failure threshold, credentials FDI refused, the
 * invocation's deadline (the run continues in a new invocation), or an outside signal (SIGINT).
 */
export type StopReason = 'threshold' | 'auth' | 'deadline' | 'signal';

/** The request counters of a run, across all its invocations. */
export interface RequestCounts {
  requests: number;
  retries: number;
  throttled: number;
}

export const NO_REQUESTS: Readonly<RequestCounts> = { requests: 0, retries: 0, throttled: 0 };

/** The sum of two sets of counters (a resumed run adds its earlier invocations' to its own). */
export function addCounts(a: RequestCounts, b: RequestCounts): RequestCounts {
  return { requests: a.requests + b.requests, retries: a.retries + b.retries, throttled: a.throttled + b.throttled };
}

/** Where time comes from (tests pass their own). */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** What this product last applied to one task (lib/plan/applied.ts, docs/DRIFT.md). */
export interface AppliedTask {
  task_id: string;
  /** requestFingerprint of the body last sent (create or update). */
  request: string;
  /** existingFingerprint of the task as FDI answered that write, in whatever form FDI answers. */
  shown: string;
  /** The task's modification time (epoch ms) as FDI last gave it: the listing's, else the write's answer. */
  modified?: number | undefined;
  /** When it was recorded (ISO 8601). */
  at: string;
}

/** The records of one instance, by task name. */
export type AppliedTasks = ReadonlyMap<string, AppliedTask>;
