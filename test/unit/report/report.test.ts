import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { buildReport, countResults, exitCodeOf, runStatus } from '../../../lib/report/build-report.js';
import { summaryMarkdown } from '../../../lib/report/summary-md.js';
import { tasksCsv } from '../../../lib/report/tasks-csv.js';
import type { TaskResult } from '../../../lib/report/types.js';

const t = (index: number, status: TaskResult['status'], extra: Partial<TaskResult> = {}): TaskResult => ({
  index,
  name: `task-${index}`,
  status,
  attempts: 1,
  line: 10 + index,
  ...extra,
});

describe('run status and exit code', () => {
  it.each([
    [[t(0, 'created'), t(1, 'existing'), t(2, 'updated')], {}, 'succeeded', 0],
    [[t(0, 'created'), t(1, 'failed')], {}, 'partial', 1],
    [[t(0, 'failed'), t(1, 'failed')], {}, 'failed', 1],
    [[t(0, 'created'), t(1, 'not_attempted')], { aborted: 'threshold' }, 'aborted', 3],
    [[], { rejected: 'bad' }, 'rejected', 2],
    [[], { errors: [{ message: 'x' }] }, 'rejected', 2],
  ] as const)('%#: %o → %s', (results, input, status, code) => {
    const s = runStatus(input as Parameters<typeof runStatus>[0], countResults([...results]));
    expect(s).toBe(status);
    expect(exitCodeOf(s)).toBe(code);
  });
});

describe('buildReport', () => {
  it('counts every status, sorts tasks by index, computes an effective rate', () => {
    const r = buildReport({
      runId: 'r1',
      manifest: { uri: 'm.yaml' },
      startedAt: new Date(0),
      finishedAt: new Date(2000),
      results: [t(2, 'failed', { error_code: 'FDI.3033' }), t(0, 'created'), t(1, 'created')],
      stats: { requests: 5, retries: 1, throttled: 0 },
    });
    expect(r.counts).toEqual({
      total: 3,
      created: 2,
      updated: 0,
      existing: 0,
      failed: 1,
      invalid: 0,
      not_attempted: 0,
    });
    expect(r.tasks.map((x) => x.index)).toEqual([0, 1, 2]);
    expect(r.stats.effective_rate).toBe(1);
    expect(r.status).toBe('partial');
  });
});

describe('tasks.csv', () => {
  it('has one row per task and survives commas, quotes and newlines in messages', () => {
    const csv = tasksCsv([
      t(0, 'failed', { error_msg: 'bad, "quoted"\nsecond line', target: { project_id: 'p', instance_id: 'i' } }),
      t(1, 'created', { task_id: 'abc', started: true }),
    ]);
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(2);
    expect(rows[0].error_msg).toBe('bad, "quoted"\nsecond line');
    expect(rows[0].instance_id).toBe('i');
    expect(rows[1]).toMatchObject({ name: 'task-1', status: 'created', task_id: 'abc', started: 'true' });
  });
});

describe('summary.md', () => {
  it('shows counts, top errors and the re-run hint', () => {
    const r = buildReport({
      runId: 'r2',
      manifest: { uri: 's3://b/m.yaml' },
      startedAt: new Date(0),
      finishedAt: new Date(1000),
      results: [
        t(0, 'failed', { error_code: 'FDI.3033', error_msg: 'Invalid parameter [x]' }),
        t(1, 'failed', { error_code: 'FDI.3033', error_msg: 'y' }),
        t(2, 'failed', { error_code: 'HTTP.500' }),
      ],
      stats: { requests: 9, retries: 6, throttled: 2 },
    });
    const md = summaryMarkdown(r, { failedManifest: 'failed.yaml' });
    expect(md).toContain('| 3 | 0 | 0 | 0 | 3 | 0 | 0 |');
    expect(md).toMatch(/\| FDI\.3033 \| 2 \| Invalid parameter \[x\] \|/);
    expect(md).toContain('failed.yaml');
    expect(md).toContain('throttled (429): 2');
  });
});
