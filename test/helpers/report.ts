/** A small, valid report for tests that read or show reports: one created task, a one-second run. */
import type { Report } from '../../lib/report/types.js';

/** A succeeded one-task apply's report of `runId`, started at `startedAt`; `overrides` win. */
export function oneTaskReport(runId: string, startedAt: string, overrides: Partial<Report> = {}): Report {
  return {
    version: 1,
    run_id: runId,
    operation: 'apply',
    manifest: { uri: 'w.yaml' },
    status: 'succeeded',
    started_at: startedAt,
    finished_at: new Date(Date.parse(startedAt) + 1000).toISOString(),
    duration_ms: 1000,
    counts: { total: 1, created: 1, updated: 0, existing: 0, failed: 0, invalid: 0, not_attempted: 0 },
    steps: { schedules_created: 0, schedules_updated: 0, schedules_unchanged: 0, started: 0 },
    stats: { requests: 1, retries: 0, throttled: 0 },
    errors: [],
    tasks: [{ index: 0, name: 't', status: 'created', attempts: 1, line: 1 }],
    ...overrides,
  };
}

/** The fields every run `fdi-provision runs` lists has (README, "Runs"), sorted. */
export const SUMMARY_FIELDS = [
  'counts',
  'duration_ms',
  'finished_at',
  'heartbeat_at',
  'manifest',
  'operation',
  'progress',
  'report',
  'run_id',
  'source',
  'started_at',
  'state',
].sort();
