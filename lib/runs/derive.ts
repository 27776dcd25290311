/**
 * A run's state and figures from what a store holds of it: its report, the function's lock and
 * heartbeat, or a command-line run's live record. Pure: the time and the stale threshold are given.
 */
import { tally } from '../report/build-report.js';
import type { Report, TaskResult } from '../report/types.js';
import type { Checkpoint, Heartbeat, Lock } from '../trigger/state.js';
import type { LiveRecord, RunDetail, RunSummary, RunView, TopError } from './types.js';

/** A run id: `20261128T203828Z-1a2b3c` (lib/run-record.ts); sorting them sorts runs by their start. */
export const RUN_ID_PATTERN = /^\d{8}T\d{6}Z-[0-9a-f]{6}$/;

/** At most this many error codes in a run's detail. */
const TOP_ERRORS = 10;

/**
 * A run that has not ended: `running` while its last sign of life is younger than `staleAfterMs`,
 * `stalled` from then on, and at once when its last beat says it stopped with its report unstored.
 */
export function liveState(lastBeat: string, now: number, staleAfterMs: number, stopped = false): RunView {
  const silent = now - Date.parse(lastBeat);
  return !stopped && silent < staleAfterMs ? 'running' : 'stalled';
}

/** How long a run took: ended, the report's; running, until now; stalled, until its last beat. */
function durationOf(startedAt: string, state: RunView, lastBeat: string, now: number): number {
  const until = state === 'running' ? now : Date.parse(lastBeat);
  return Math.max(0, until - Date.parse(startedAt));
}

/** The most frequent error codes of failed and invalid tasks, most frequent first. */
export function topErrors(tasks: readonly TaskResult[]): TopError[] {
  const byCode = new Map<string, TopError>();
  for (const t of tasks) {
    if (t.status !== 'failed' && t.status !== 'invalid') continue;
    const code = t.error_code ?? 'UNKNOWN';
    const e = byCode.get(code) ?? { code, tasks: 0, example: t.error_msg ?? '' };
    e.tasks += 1;
    byCode.set(code, e);
  }
  return [...byCode.values()].sort((a, b) => b.tasks - a.tasks || a.code.localeCompare(b.code)).slice(0, TOP_ERRORS);
}

/** An ended run, from its report; `location`: where its report folder is. */
export function fromReport(report: Report, location: string): RunDetail {
  const total = report.counts.total;
  return {
    run_id: report.run_id,
    manifest: report.manifest.uri,
    operation: report.operation ?? 'apply',
    state: report.status,
    progress: total > 0 ? { done: total - (report.counts.not_attempted ?? 0), total } : null,
    started_at: report.started_at,
    finished_at: report.finished_at,
    duration_ms: report.duration_ms,
    heartbeat_at: null,
    counts: report.counts,
    report: location,
    source: 'report',
    reason: report.reason ?? null,
    notes: report.notes ?? [],
    requested_by: report.requested_by ?? null,
    top_errors: topErrors(report.tasks),
    errors: report.errors.map((e) => ({ message: e.message, line: e.line, task: e.task })),
    invocation: null,
    pending_invocation: null,
  };
}

/**
 * A function run that has not ended, from its lock and heartbeat (a beat of another run of the same
 * upload does not count: the lock's start is then its last sign of life), and, for the detail, its
 * checkpoint's results so far. `staleAfterMs` is the reader's threshold: a beat that names its
 * writer's (`stale_after_ms`) is judged by that one.
 */
export function fromLock(
  lock: Lock,
  beat: Heartbeat | undefined,
  now: number,
  staleAfterMs: number,
  checkpoint?: Checkpoint,
): RunDetail {
  const own = beat?.run_id === lock.owner ? beat : undefined;
  const lastBeat = own?.at ?? lock.started_at;
  const state = liveState(lastBeat, now, own?.stale_after_ms ?? staleAfterMs, own?.stopped === true);
  const saved = checkpoint?.run_id === lock.owner ? checkpoint : undefined;
  return {
    run_id: lock.owner,
    manifest: `s3://${lock.bucket}/${lock.key}`,
    operation: lock.operation ?? 'apply',
    state,
    progress: own?.progress ?? null,
    started_at: lock.started_at,
    finished_at: null,
    duration_ms: durationOf(lock.started_at, state, lastBeat, now),
    heartbeat_at: own?.at ?? null,
    counts: saved ? tally(saved.results) : null,
    report: null,
    source: 'function',
    reason: null,
    notes: saved?.notes ?? [],
    requested_by: lock.requested_by ?? null,
    top_errors: saved ? topErrors(saved.results) : [],
    errors: [],
    invocation: own?.invocation ?? saved?.invocation ?? 1,
    pending_invocation: null,
  };
}

/** A command-line run that has not ended (or was killed), from its live record (by its own threshold when it names one). */
export function fromLiveRecord(live: LiveRecord, now: number, staleAfterMs: number): RunDetail {
  const state = liveState(live.at, now, live.stale_after_ms ?? staleAfterMs);
  return {
    run_id: live.run_id,
    manifest: live.manifest,
    operation: live.operation,
    state,
    progress: live.progress ?? null,
    started_at: live.started_at,
    finished_at: null,
    duration_ms: durationOf(live.started_at, state, live.at, now),
    heartbeat_at: live.at,
    counts: live.counts ?? null,
    report: null,
    source: 'cli',
    reason: null,
    notes: [],
    requested_by: live.requested_by ?? null,
    top_errors: [],
    errors: [],
    invocation: null,
    pending_invocation: null,
  };
}

/** The list's fields of a run's detail. */
export function summaryOf(d: RunDetail): RunSummary {
  return {
    run_id: d.run_id,
    manifest: d.manifest,
    operation: d.operation,
    state: d.state,
    progress: d.progress,
    started_at: d.started_at,
    finished_at: d.finished_at,
    duration_ms: d.duration_ms,
    heartbeat_at: d.heartbeat_at,
    counts: d.counts,
    report: d.report,
    source: d.source,
  };
}

/**
 * Whether `runs --watch` keeps looking at a run: running, or a function run that is stalled but whose
 * next invocation is pending (`pending_invocation`: its continuation written and not yet claimed, or a
 * newer claim not yet beating), which will go on. A command-line run's stall ends the watch (exit 3).
 */
export function stillGoing(r: RunSummary | RunDetail): boolean {
  return r.state === 'running' || (r.state === 'stalled' && 'pending_invocation' in r && r.pending_invocation !== null);
}
