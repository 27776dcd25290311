/** Hand-made reports for report.html's tests: names and messages full of markup, as people and servers send. */
import type { Report, TaskResult } from '../../../lib/report/types.js';

/** Markup that must come out as text wherever it is shown. */
export const HOSTILE_NAME = '<img src=x onerror="window.__pwned=1">\u2028</script><script>window.__pwned=2</script>';
export const HOSTILE_MESSAGE = 'bad </script><b id="injected">bold</b> & <!-- \u2029 "quoted" \'single\'';

/** A report with `n` tasks: every 10th failed (the first with the hostile message), the first named HOSTILE_NAME. */
export function reportWith(n: number, overrides: Partial<Report> = {}): Report {
  const tasks: TaskResult[] = [];
  for (let i = 0; i < n; i++) {
    const failed = i % 10 === 3;
    tasks.push({
      index: i,
      name: i === 0 ? HOSTILE_NAME : `task-${String(i).padStart(5, '0')}`,
      status: failed ? 'failed' : 'created',
      attempts: failed ? 3 : 1,
      line: 10 + i,
      ...(failed
        ? { error_code: 'FDI.3033', error_msg: i === 3 ? HOSTILE_MESSAGE : 'Invalid parameter [task_detail].' }
        : { task_id: `id-${i}` }),
    });
  }
  const failed = tasks.filter((t) => t.status === 'failed').length;
  return {
    version: 1,
    run_id: '20261129T225000Z-abcd',
    operation: 'apply',
    manifest: { uri: 's3://bucket/manifests/<wave>&1.yaml', sha256: 'ab'.repeat(32) },
    requested_by: { via: 'cli', user: '<user>', host: 'host' },
    status: failed ? 'partial' : 'succeeded',
    started_at: '2026-11-29T22:50:00.000Z',
    finished_at: '2026-11-29T22:50:10.000Z',
    duration_ms: 10_000,
    counts: { total: n, created: n - failed, updated: 0, existing: 0, failed, invalid: 0, not_attempted: 0 },
    steps: { schedules_created: 0, schedules_updated: 0, schedules_unchanged: 0, started: 0 },
    stats: { requests: n + 5, retries: 5, throttled: 2, effective_rate: n / 10 },
    timeline: {
      start: '2026-11-29T22:50:00.000Z',
      step_s: 1,
      accepted: [3, 5, 2],
      throttled: [0, 2, 0],
      failed: [1, 0, 1],
      retried: [0, 2, 1],
      done: [2, 4, n - 6],
    },
    notes: ['a note with <em>markup</em>'],
    errors: [],
    tasks,
    ...overrides,
  };
}
