/** The pure pieces of apply --verify (lib/execute/verify.ts) and of its report (docs/VERIFY.md). */
import { describe, expect, it } from 'vitest';
import { executionOf, pollInterval, stateOf, streamWatchMs, summarize, toVerify } from '../../../lib/execute/verify.js';
import { buildReport, countSteps, exitCodeOfReport } from '../../../lib/report/build-report.js';
import { describeSteps, describeVerify, summaryMarkdown } from '../../../lib/report/summary-md.js';
import { tasksCsv } from '../../../lib/report/tasks-csv.js';
import type { Report, TaskResult } from '../../../lib/report/types.js';
import { verifyFlag } from '../../../cli/commands/apply.js';

const target = { project_id: 'p', instance_id: 'i' };
const result = (index: number, extra: Partial<TaskResult> = {}): TaskResult => ({
  index,
  name: `task-${index}`,
  status: 'created',
  attempts: 1,
  line: 5 + index,
  task_id: `id-${index}`,
  target,
  ...extra,
});

describe('which tasks are verified', () => {
  it('those the run started or ran, with an ID and a target', () => {
    expect(toVerify(result(0, { start: 'started' }))).toBe(true);
    expect(toVerify(result(1, { run: 'triggered' }))).toBe(true);
    expect(toVerify(result(2, { run: 'running' }))).toBe(true);
    expect(toVerify(result(3, { start: 'running' }))).toBe(false);
    expect(toVerify(result(4))).toBe(false);
    expect(toVerify(result(5, { start: 'started', task_id: undefined }))).toBe(false);
  });
});

describe('timing', () => {
  it('polls every twentieth of the timeout, between 1 and 5 s', () => {
    expect(pollInterval(2000)).toBe(1000);
    expect(pollInterval(60_000)).toBe(3000);
    expect(pollInterval(300_000)).toBe(5000);
  });

  it('a stream settles after a third of the timeout, at most 30 s', () => {
    expect(streamWatchMs(6000)).toBe(2000);
    expect(streamWatchMs(300_000)).toBe(30_000);
  });
});

describe('execution states', () => {
  it("map FDI's execute_status", () => {
    expect(stateOf('SUCCESS')).toBe('succeeded');
    expect(stateOf('ERROR')).toBe('failed');
    expect(stateOf('CANCELLED')).toBe('failed');
    expect(stateOf('RUNNING')).toBe('running');
    expect(stateOf('WAITING')).toBe('not yet run');
    expect(stateOf('UNSTARTED')).toBe('not yet run');
    expect(stateOf(undefined)).toBe('not yet run');
  });

  it('a failed execution carries its log: remarks, counts, ID and start', () => {
    const e = executionOf({
      status: 'ERROR',
      taskType: 'TIMING',
      settled: true,
      log: {
        id: 'exec-1',
        execute_status: 'ERROR',
        start_time: Date.UTC(2026, 10, 29, 10),
        data_count: 50,
        dirty_data_count: 7,
        remarks: 'target rejected 7 rows',
      },
    });
    expect(e).toEqual({
      state: 'failed',
      healthy: false,
      execute_status: 'ERROR',
      id: 'exec-1',
      started_at: '2026-11-29T10:00:00.000Z',
      data_count: 50,
      dirty_data_count: 7,
      remarks: 'target rejected 7 rows',
      note: undefined,
    });
  });

  it('running is healthy only for a REALTIME stream; not yet run never is; an unsettled note is kept', () => {
    expect(executionOf({ status: 'RUNNING', taskType: 'REALTIME', settled: true }).healthy).toBe(true);
    expect(executionOf({ status: 'RUNNING', taskType: 'TIMING', settled: false }).healthy).toBe(false);
    const waiting = executionOf({ settled: false, note: 'the task monitors could not be read: 503' });
    expect(waiting).toMatchObject({ state: 'not yet run', healthy: false, note: expect.stringContaining('503') });
  });

  it('the summary counts each state and is healthy only when every execution is', () => {
    const ok = executionOf({ status: 'SUCCESS', settled: true });
    const bad = executionOf({ status: 'ERROR', settled: true });
    const started = new Date('2026-11-29T10:00:00.000Z');
    expect(summarize([ok, ok], 60_000, started, 'settled')).toEqual({
      timeout_s: 60,
      deadline: '2026-11-29T10:01:00.000Z',
      ended: 'settled',
      tasks: 2,
      counts: { succeeded: 2, failed: 0, running: 0, 'not yet run': 0 },
      healthy: true,
      note: undefined,
    });
    expect(summarize([ok, bad], 60_000, started, 'settled').healthy).toBe(false);
    expect(summarize([], 60_000, started, 'settled')).toMatchObject({ tasks: 0, healthy: true });
  });
});

describe('the report of run_now and verify', () => {
  const failed = result(1, {
    run: 'triggered',
    execution: { state: 'failed', healthy: false, execute_status: 'ERROR', remarks: 'bad | rows', dirty_data_count: 3 },
  });
  const ok = result(0, {
    run: 'triggered',
    execution: { state: 'succeeded', healthy: true, execute_status: 'SUCCESS' },
  });
  const report = (extra: Partial<Report> = {}): Report => ({
    version: 1,
    run_id: 'r1',
    operation: 'apply',
    manifest: { uri: 'm.yaml' },
    status: 'succeeded',
    started_at: '2026-11-29T10:00:00.000Z',
    finished_at: '2026-11-29T10:00:01.000Z',
    duration_ms: 1000,
    counts: { total: 2, created: 2, updated: 0, existing: 0, failed: 0, invalid: 0, not_attempted: 0 },
    steps: countSteps([ok, failed]),
    stats: { requests: 4, retries: 0, throttled: 0 },
    errors: [],
    tasks: [ok, failed],
    verify: { ...summarize([ok.execution!, failed.execution!], 30_000, new Date(0), 'settled'), duration_ms: 500 },
    ...extra,
  });

  it('counts triggered runs (only when there are any) and words them', () => {
    expect(countSteps([ok, failed]).runs_triggered).toBe(2);
    expect(countSteps([result(0, { run: 'running' })])).not.toHaveProperty('runs_triggered');
    expect(describeSteps({ ...countSteps([ok]), started: 1 })).toBe('1 started, 1 run triggered');
  });

  it('exit code: 1 for a succeeded run whose verified wave is not healthy; the run status otherwise', () => {
    expect(exitCodeOfReport(report())).toBe(1);
    expect(exitCodeOfReport(report({ verify: { ...report().verify!, healthy: true } }))).toBe(0);
    expect(exitCodeOfReport(report({ verify: undefined }))).toBe(0);
    expect(exitCodeOfReport(report({ status: 'aborted' }))).toBe(3);
    expect(exitCodeOfReport(report({ status: 'rejected' }))).toBe(2);
    expect(exitCodeOfReport(report({ status: 'partial', verify: { ...report().verify!, healthy: true } }))).toBe(1);
  });

  it('summary.md lists failed executions before anything else, with their remarks', () => {
    const md = summaryMarkdown(report());
    const at = md.indexOf('## Failed executions');
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(md.indexOf('| total |'));
    expect(md).toContain('| `task-1` | i | ERROR |  | 3 | bad \\| rows |');
    expect(md).toContain(`Verified executions: ${describeVerify(report().verify!)}.`);
    expect(describeVerify(report().verify!)).toBe(
      '2 task(s): 1 succeeded, 1 failed, 0 running, 0 not yet run (not healthy, within 30 s)',
    );
    expect(summaryMarkdown(report({ tasks: [ok] }))).not.toContain('## Failed executions');
  });

  it('the effective rate leaves out the time spent waiting for executions', () => {
    const input = {
      runId: 'r',
      manifest: { uri: 'm.yaml' },
      startedAt: new Date(0),
      finishedAt: new Date(10_000),
      results: [ok, failed],
      stats: { requests: 2, retries: 0, throttled: 0 },
    };
    expect(buildReport(input).stats.effective_rate).toBe(0.2);
    const verify = { ...report().verify!, duration_ms: 8000 };
    expect(buildReport({ ...input, verify }).stats.effective_rate).toBe(1);
  });

  it('tasks.csv appends run, execution, its remarks and counts when a task was run or verified', () => {
    const [header, first, second] = tasksCsv([ok, failed]).trimEnd().split('\n');
    expect(header?.split(',').slice(-5)).toEqual([
      'run',
      'execution',
      'execution_remarks',
      'data_count',
      'dirty_data_count',
    ]);
    expect(first?.endsWith(',triggered,succeeded,,,')).toBe(true);
    expect(second?.endsWith(',triggered,failed,bad | rows,,3')).toBe(true);
    const plain = tasksCsv([result(0)]).split('\n')[0];
    expect(plain?.split(',').slice(-2)).toEqual(['before_task_id', 'before_modified']);
  });
});

describe('--verify [seconds]', () => {
  it('defaults to 300 s without a value, takes 1–3600 s, refuses anything else as the user’s error', () => {
    expect(verifyFlag(undefined)).toBeUndefined();
    expect(verifyFlag(true)).toEqual({ timeoutMs: 300_000 });
    expect(verifyFlag('2')).toEqual({ timeoutMs: 2000 });
    expect(verifyFlag('3600')).toEqual({ timeoutMs: 3_600_000 });
    for (const bad of ['0', '3601', '1.5', 'wave.yaml', '', '-1'])
      expect(() => verifyFlag(bad), bad).toThrow(/--verify takes a whole number of seconds from 1 to 3600/);
  });
});
