/** Assertions shared by the reliability suites: exactly once in the emulator, every task once in the report. */
import { expect } from 'vitest';
import type { Emulator } from '../../emulator/index.js';
import type { Report } from '../../lib/report/types.js';

export { STACK_TRACE } from './process.js';

/**
 * The exactly-once invariant, from the emulator's counters: exactly `names` are stored, each committed
 * once, and nothing else was created.
 */
export function expectExactlyOnce(emu: Emulator, names: readonly string[]): void {
  const stats = emu.stats();
  const committed = stats.createsCommitted;
  const twice = Object.entries(committed).filter(([, n]) => n !== 1);
  expect(twice, 'names committed more than once').toEqual([]);
  expect(Object.keys(committed).sort()).toEqual([...names].sort());
  expect(stats.tasksStored).toBe(names.length);
  expect(
    emu
      .tasks()
      .map((t) => t.task_name)
      .sort(),
  ).toEqual([...names].sort());
}

/**
 * A report accounts for every task exactly once: indexes 0..n-1, each name once, counts that add up
 * and agree with the statuses.
 */
export function expectReportAccountsForAll(report: Report, names: readonly string[]): void {
  const n = names.length;
  expect(report.tasks.map((t) => t.index).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
  expect(report.tasks.map((t) => t.name).sort()).toEqual([...names].sort());
  const tally: Record<string, number> = {};
  for (const t of report.tasks) tally[t.status] = (tally[t.status] ?? 0) + 1;
  const c = report.counts;
  expect(c.total).toBe(n);
  expect(c.created + c.updated + c.existing + c.failed + c.invalid + c.not_attempted).toBe(n);
  for (const s of ['created', 'updated', 'existing', 'failed', 'invalid', 'not_attempted'] as const)
    expect(c[s], s).toBe(tally[s] ?? 0);
}
