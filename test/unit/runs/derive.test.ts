/** A run's state from what the store holds: report, function lock and heartbeat, CLI live record. */
import { describe, expect, it } from 'vitest';
import { fromLiveRecord, fromLock, fromReport, liveState, summaryOf, topErrors } from '../../../lib/runs/derive.js';
import { tally } from '../../../lib/report/build-report.js';
import type { Report, TaskResult } from '../../../lib/report/types.js';
import { SUMMARY_FIELDS } from '../../helpers/report.js';
import type { Heartbeat, Lock } from '../../../lib/trigger/state.js';

const T0 = Date.parse('2026-11-28T20:38:28.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();
const STALE = 45_000;

describe('liveState', () => {
  it.each([
    ['a beat just now', 0, false, 'running'],
    ['a beat 44.999 s ago', 44_999, false, 'running'],
    ['a beat exactly the threshold ago', 45_000, false, 'stalled'],
    ['a beat long ago', 600_000, false, 'stalled'],
    ['a fresh beat that says it stopped (report unstored)', 0, true, 'stalled'],
  ] as const)('%s: %s', (_what, silentMs, stopped, state) => {
    expect(liveState(at(0), T0 + silentMs, STALE, stopped)).toBe(state);
  });
});

const lock: Lock = {
  owner: '20261128T203828Z-1a2b3c',
  bucket: 'b',
  key: 'manifests/team/w1.yaml',
  upload_id: 'u1',
  started_at: at(0),
  requested_by: { via: 's3-event', principal: 'AWS:alice' },
};
const beat = (ms: number, extra: Partial<Heartbeat> = {}): Heartbeat => ({
  run_id: lock.owner,
  invocation: 2,
  at: at(ms),
  ...extra,
});

describe('fromLock (a function run that has not ended)', () => {
  it.each([
    // [what, heartbeat, now, state, progress, duration, heartbeat_at]
    ['no beat yet, lock fresh', undefined, 10_000, 'running', null, 10_000, null],
    ['no beat, lock older than the threshold', undefined, 50_000, 'stalled', null, 0, null],
    [
      'a fresh beat with progress',
      beat(30_000, { progress: { done: 12, total: 40 } }),
      40_000,
      'running',
      { done: 12, total: 40 },
      40_000,
      at(30_000),
    ],
    [
      'a stale beat',
      beat(30_000, { progress: { done: 12, total: 40 } }),
      80_000,
      'stalled',
      { done: 12, total: 40 },
      30_000,
      at(30_000),
    ],
    ['a beat of an earlier run of the upload', { ...beat(70_000), run_id: 'other' }, 75_000, 'stalled', null, 0, null],
    ['a fresh beat that says stopped', beat(70_000, { stopped: true }), 71_000, 'stalled', null, 70_000, at(70_000)],
    [
      "a beat 60 s old, by a writer whose threshold is 180 s (the reader's is 45 s)",
      beat(30_000, { stale_after_ms: 180_000 }),
      90_000,
      'running',
      null,
      90_000,
      at(30_000),
    ],
    [
      "a beat 60 s old, by a writer whose threshold is 20 s (the reader's is 45 s)",
      beat(30_000, { stale_after_ms: 20_000 }),
      90_000,
      'stalled',
      null,
      30_000,
      at(30_000),
    ],
  ] as const)('%s', (_what, hb, now, state, progress, duration, heartbeatAt) => {
    const d = fromLock(lock, hb, T0 + now, STALE);
    expect(d).toMatchObject({ state, progress, duration_ms: duration, heartbeat_at: heartbeatAt, finished_at: null });
    expect(d).toMatchObject({
      run_id: lock.owner,
      manifest: 's3://b/manifests/team/w1.yaml',
      source: 'function',
      report: null,
    });
  });

  it('the detail counts the checkpoint results so far, and takes its notes', () => {
    const results = [
      { index: 0, name: 'a', status: 'created', attempts: 1 },
      { index: 1, name: 'b', status: 'failed', attempts: 3, error_code: 'FDI.3001', error_msg: 'bad' },
    ] as TaskResult[];
    const cp = {
      run_id: lock.owner,
      started_at: at(0),
      invocation: 1,
      bucket: 'b',
      key: lock.key,
      upload_id: 'u1',
      stats: { requests: 0, retries: 0, throttled: 0 },
      results,
      notes: ['n1'],
    };
    const d = fromLock(lock, beat(1000), T0 + 2000, STALE, cp);
    expect(d.counts).toEqual({ total: 2, created: 1, failed: 1 });
    expect(d.top_errors).toEqual([{ code: 'FDI.3001', tasks: 1, example: 'bad' }]);
    expect(d.notes).toEqual(['n1']);
    expect(d.invocation).toBe(2);
  });
});

describe('fromLiveRecord (a command-line run)', () => {
  const live = {
    run_id: lock.owner,
    manifest: 'w1.yaml',
    operation: 'apply' as const,
    started_at: at(0),
    at: at(5000),
    pid: 1,
    progress: { done: 3, total: 9 },
  };
  it.each([
    [6_000, 'running', 6_000],
    [50_000, 'stalled', 5_000],
  ] as const)('now +%i ms: %s, duration %i', (now, state, duration) => {
    expect(fromLiveRecord(live, T0 + now, STALE)).toMatchObject({
      state,
      duration_ms: duration,
      progress: { done: 3, total: 9 },
      source: 'cli',
    });
  });

  it("is judged by the writer's threshold when it names one, not the reader's", () => {
    const own = { ...live, stale_after_ms: 180_000 };
    expect(fromLiveRecord(own, T0 + 65_000, STALE).state).toBe('running');
    expect(fromLiveRecord(own, T0 + 185_000, STALE).state).toBe('stalled');
  });
});

describe('fromReport (an ended run)', () => {
  const tasks = [
    { index: 0, name: 'a', status: 'created', attempts: 1 },
    { index: 1, name: 'b', status: 'failed', attempts: 1, error_code: 'E1', error_msg: 'm1' },
    { index: 2, name: 'c', status: 'failed', attempts: 1, error_code: 'E2', error_msg: 'm2' },
    { index: 3, name: 'd', status: 'failed', attempts: 1, error_code: 'E2', error_msg: 'm3' },
    { index: 4, name: 'e', status: 'not_attempted', attempts: 0 },
  ] as TaskResult[];
  const report = {
    version: 1,
    run_id: lock.owner,
    operation: 'apply',
    manifest: { uri: 's3://b/manifests/w1.yaml' },
    status: 'aborted',
    reason: 'the failure threshold was passed',
    started_at: at(0),
    finished_at: at(9000),
    duration_ms: 9000,
    counts: { ...tally(tasks), created: 1, updated: 0, existing: 0, failed: 3, invalid: 0, not_attempted: 1, total: 5 },
    steps: { schedules_created: 0, schedules_updated: 0, schedules_unchanged: 0, started: 0 },
    stats: { requests: 4, retries: 0, throttled: 0 },
    errors: [],
    tasks,
  } as Report;

  it.each(['succeeded', 'partial', 'failed', 'rejected', 'aborted'] as const)(
    "the state is the report's status: %s",
    (status) => {
      expect(fromReport({ ...report, status }, 'loc/').state).toBe(status);
    },
  );

  it('progress counts every task but the not attempted; top errors by frequency', () => {
    const d = fromReport(report, 's3://b/reports/w1/x/');
    expect(d).toMatchObject({
      progress: { done: 4, total: 5 },
      finished_at: at(9000),
      duration_ms: 9000,
      report: 's3://b/reports/w1/x/',
      heartbeat_at: null,
      reason: report.reason,
    });
    expect(d.top_errors.map((e) => [e.code, e.tasks])).toEqual([
      ['E2', 2],
      ['E1', 1],
    ]);
    expect(topErrors([])).toEqual([]);
  });

  it('a rejected run with no tasks has no progress; the summary has exactly the documented fields', () => {
    const rejected = fromReport(
      { ...report, status: 'rejected', tasks: [], counts: { ...report.counts, total: 0 } },
      'r/',
    );
    expect(rejected.progress).toBeNull();
    expect(Object.keys(summaryOf(rejected)).sort()).toEqual(SUMMARY_FIELDS);
  });
});
