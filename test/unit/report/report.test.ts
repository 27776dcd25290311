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

  it('keeps its columns in place and appends what an overwritten task was before', () => {
    const csv = tasksCsv([
      t(0, 'updated', { task_id: 'id-0', before: { task_id: 'id-0', modified: '2026-11-29T10:00:00.000Z' } }),
      t(1, 'existing', { task_id: 'id-1' }),
      t(2, 'updated', { task_id: 'id-2', before: { task_id: 'id-2' } }),
    ]);
    const [header, ...rest] = parse(csv) as string[][];
    expect(header).toEqual([
      'index',
      'name',
      'status',
      'task_id',
      'attempts',
      'http_status',
      'error_code',
      'error_msg',
      'line',
      'project_id',
      'instance_id',
      'scheduled',
      'started',
      'note',
      'before_task_id',
      'before_modified',
    ]);
    expect(rest.map((r) => r.slice(-2))).toEqual([
      ['id-0', '2026-11-29T10:00:00.000Z'],
      ['', ''],
      ['id-2', ''],
    ]);
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

  const changedRun = (results: TaskResult[]) =>
    buildReport({
      runId: 'r3',
      manifest: { uri: 'm.yaml' },
      startedAt: new Date(0),
      finishedAt: new Date(1000),
      results,
      stats: { requests: 1, retries: 0, throttled: 0 },
    });
  const target = { project_id: 'p', instance_id: 'inst-1' };

  it('names each overwritten task: instance, ID before → after, when it was last modified before', () => {
    const md = summaryMarkdown(
      changedRun([
        t(0, 'updated', { target, task_id: 'id-0', before: { task_id: 'id-0', modified: '2026-11-29T10:00:00.000Z' } }),
        t(1, 'existing', { target, task_id: 'id-1' }),
        t(2, 'created', { target, task_id: 'id-2' }),
        t(3, 'updated', { target, task_id: 'id-3b', before: { task_id: 'id-3a' } }),
      ]),
    );
    const section = md.slice(md.indexOf('## Changed tasks'));
    expect(section).toContain('2 existing tasks were overwritten by this run');
    expect(section).toContain('| `task-0` | inst-1 | `id-0` → `id-0` | 2026-11-29T10:00:00.000Z |');
    expect(section).toContain('| `task-3` | inst-1 | `id-3a` → `id-3b` | unknown |');
    expect(section).not.toMatch(/task-1|task-2/);
    expect(section).not.toContain('more (see');
  });

  it('has no such section when nothing was overwritten', () => {
    const md = summaryMarkdown(changedRun([t(0, 'created', { task_id: 'a' }), t(1, 'existing', { task_id: 'b' })]));
    expect(md).not.toContain('Changed tasks');
  });

  it('lists at most 20 and says how many more the full report has', () => {
    const results = Array.from({ length: 23 }, (_, i) =>
      t(i, 'updated', { target, task_id: `id-${i}`, before: { task_id: `id-${i}` } }),
    );
    const md = summaryMarkdown(changedRun(results));
    expect(md).toContain('23 existing tasks were overwritten by this run');
    expect(md.match(/^\| `task-\d+` \|/gm)).toHaveLength(20);
    expect(md).toContain('| `task-19` |');
    expect(md).not.toContain('| `task-20` |');
    expect(md).toContain('+3 more (see report.json / tasks.csv)');
  });

  it('names the tasks a destroy left alone (foreign), with why, and the deleted ones as changed', () => {
    const md = summaryMarkdown(
      changedRun([
        t(0, 'deleted', { target, task_id: 'id-0', before: { task_id: 'id-0' } }),
        t(1, 'foreign', { target, task_id: 'id-1', note: 'its definition differs from the manifest; left alone' }),
        t(2, 'absent', { target, note: 'no task of this name in instance inst-1' }),
      ]),
    );
    const alone = md.slice(md.indexOf('## Left alone'), md.indexOf('## Changed tasks'));
    expect(alone).toContain("1 task(s) of the manifest's names were not deleted:");
    expect(alone).toContain('- `task-1` (task id-1, line 11): its definition differs from the manifest; left alone');
    expect(alone).not.toMatch(/task-0|task-2/);
    expect(md).toContain('1 task was deleted by this run');
    expect(md).toContain('| `task-0` | inst-1 | `id-0` → — (deleted) | unknown |');
  });
});
