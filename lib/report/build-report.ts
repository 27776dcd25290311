/** Builds the run report (README, "Reports and storage layout") from per-task results. Pure. */
import { EXIT, type ExitCode } from '../errors.js';
import {
  statusesOf,
  type Counts,
  type ManifestError,
  type Operation,
  type Report,
  type RunStatus,
  type TaskResult,
} from './types.js';

export interface ReportInput {
  runId: string;
  /** Default `apply`. */
  operation?: Operation | undefined;
  manifest: Report['manifest'];
  requestedBy?: Report['requested_by'];
  policy?: Report['policy'];
  retryOf?: Report['retry_of'];
  target?: Report['target'] | undefined;
  startedAt: Date;
  finishedAt: Date;
  results: TaskResult[];
  stats: { requests: number; retries: number; throttled: number };
  errors?: ManifestError[] | undefined;
  /** Set when the run was stopped early. */
  aborted?: string | undefined;
  /** Set when the run was refused before any write. */
  rejected?: string | undefined;
  /** `apply --verify`: how the executions stand (docs/VERIFY.md). */
  verify?: Report['verify'];
  notes?: string[] | undefined;
  timeline?: Report['timeline'];
}

/** Results by status, only the statuses they have (what a run in progress holds so far). */
export function tally(results: readonly Pick<TaskResult, 'status'>[]): Partial<Counts> {
  const counts: Partial<Counts> = { total: results.length };
  for (const r of results) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
}

/** A report's counts: the tally, with a zero for each status of the operation that no result has. */
export function countResults(results: TaskResult[], operation: Operation = 'apply'): Counts {
  const zeros = Object.fromEntries([['total', 0], ...statusesOf(operation).map((s) => [s, 0])]) as Counts;
  return { ...zeros, ...tally(results) } as Counts;
}

/** Tasks that are where the run meant them to be: created, updated or found (apply); deleted or gone (destroy). */
function settled(counts: Counts): number {
  return counts.created + counts.updated + counts.existing + (counts.deleted ?? 0) + (counts.absent ?? 0);
}

/** The steps after the tasks' own writes, counted from the results. */
export function countSteps(results: TaskResult[]): Report['steps'] {
  const steps: Report['steps'] = { schedules_created: 0, schedules_updated: 0, schedules_unchanged: 0, started: 0 };
  let runs = 0;
  for (const r of results) {
    if (r.schedule) steps[`schedules_${r.schedule}`] += 1;
    if (r.start === 'started') steps.started += 1;
    if (r.run === 'triggered') runs += 1;
  }
  if (runs > 0) steps.runs_triggered = runs;
  return steps;
}

export function runStatus(input: Pick<ReportInput, 'errors' | 'aborted' | 'rejected'>, counts: Counts): RunStatus {
  if (input.rejected || (input.errors?.length ?? 0) > 0) return 'rejected';
  if (input.aborted) return 'aborted';
  // A task a destroy left alone (another definition under its name) leaves the wave not wholly out.
  const unsettled = counts.failed + counts.not_attempted + counts.invalid + (counts.foreign ?? 0);
  if (unsettled === 0) return 'succeeded';
  if (settled(counts) === 0) return 'failed';
  return 'partial';
}

/**
 * Exit code of a report: that of its status, except that a succeeded run whose verified executions are
 * not all healthy exits 1 (docs/VERIFY.md).
 */
export function exitCodeOfReport(report: Pick<Report, 'status' | 'verify'>): ExitCode {
  const code = exitCodeOf(report.status);
  return code === EXIT.ok && report.verify && !report.verify.healthy ? EXIT.someFailed : code;
}

/** Exit code of a run status (README, "The command line"). */
export function exitCodeOf(status: RunStatus): ExitCode {
  switch (status) {
    case 'succeeded':
      return EXIT.ok;
    case 'rejected':
      return EXIT.rejected;
    case 'aborted':
      return EXIT.aborted;
    default:
      return EXIT.someFailed;
  }
}

export function buildReport(input: ReportInput): Report {
  const operation = input.operation ?? 'apply';
  const counts = countResults(input.results, operation);
  const durationMs = Math.max(0, input.finishedAt.getTime() - input.startedAt.getTime());
  const writes = counts.created + counts.updated + (counts.deleted ?? 0);
  // Waiting for executions (docs/VERIFY.md) writes nothing: the rate is of the time before it.
  const writingMs = Math.max(0, durationMs - (input.verify?.duration_ms ?? 0));
  return {
    version: 1,
    run_id: input.runId,
    operation,
    manifest: input.manifest,
    requested_by: input.requestedBy,
    policy: input.policy,
    retry_of: input.retryOf,
    target: input.target,
    status: runStatus(input, counts),
    reason: input.rejected ?? input.aborted,
    started_at: input.startedAt.toISOString(),
    finished_at: input.finishedAt.toISOString(),
    duration_ms: durationMs,
    counts,
    steps: countSteps(input.results),
    verify: input.verify,
    stats: {
      ...input.stats,
      effective_rate: writingMs > 0 && writes > 0 ? round(writes / (writingMs / 1000)) : undefined,
    },
    timeline: input.timeline,
    notes: input.notes?.length ? input.notes : undefined,
    errors: input.errors ?? [],
    tasks: [...input.results].sort((a, b) => a.index - b.index),
  };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
