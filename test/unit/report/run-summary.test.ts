import { describe, expect, it } from 'vitest';
import { reportFiles, runSummary } from '../../../lib/report/render-report.js';
import { oneTaskReport } from '../../helpers/report.js';

describe('run.json, the report without what grows with the manifest', () => {
  const report = oneTaskReport('20261128T203828Z-1a2b3c', '2026-11-28T20:38:28.000Z', {
    status: 'rejected',
    reason: 'the manifest has 30 problem(s); nothing was sent',
    errors: Array.from({ length: 30 }, (_, i) => ({ message: `problem ${i}`, line: i + 1 })),
    timeline: {
      start: '2026-11-28T20:38:28.000Z',
      step_s: 1,
      accepted: [1],
      throttled: [0],
      failed: [0],
      retried: [0],
      done: [1],
    },
  });

  it('keeps every field of report.json but tasks (empty), timeline (none) and errors (the first 20)', () => {
    const summary = runSummary(report);
    expect(summary.tasks).toEqual([]);
    expect(summary).not.toHaveProperty('timeline');
    expect(summary.errors).toEqual(report.errors.slice(0, 20));
    const { tasks: _t, timeline: _l, errors: _e, ...same } = report;
    expect(summary).toMatchObject(same);
  });

  it('is one of the report files, one line of JSON', () => {
    const file = reportFiles(report).find((f) => f.name === 'run.json');
    expect(file?.contentType).toBe('application/json');
    expect(file?.body.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(file!.body)).toEqual(JSON.parse(JSON.stringify(runSummary(report))));
  });
});
