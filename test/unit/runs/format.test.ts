/** `runs` for a person: the detail's counts line. */
import { describe, expect, it } from 'vitest';
import { runDetailText } from '../../../lib/runs/format.js';
import type { RunDetail } from '../../../lib/runs/types.js';

const detail: RunDetail = {
  run_id: '20261128T203828Z-1a2b3c',
  manifest: 'w.yaml',
  operation: 'apply',
  state: 'running',
  progress: { done: 1, total: 3 },
  started_at: '2026-11-28T20:38:28.000Z',
  finished_at: null,
  duration_ms: 1000,
  heartbeat_at: '2026-11-28T20:38:29.000Z',
  counts: { total: 1, created: 1 },
  report: null,
  source: 'cli',
  reason: null,
  notes: [],
  requested_by: null,
  top_errors: [],
  errors: [],
  invocation: null,
  pending_invocation: null,
};

describe('runDetailText', () => {
  it("a live run's counts are of the plan's tasks, not of its results so far", () => {
    expect(runDetailText(detail)).toContain('counts:     1 created (of 3)\n');
  });

  it('without a progress, of the counts’ total; without either, no "of"', () => {
    expect(runDetailText({ ...detail, progress: null })).toContain('counts:     1 created (of 1)\n');
    expect(runDetailText({ ...detail, progress: null, counts: null })).toContain('counts:     -\n');
  });
});
