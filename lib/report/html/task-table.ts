/**
 * The tasks of report.html in a compact form: the columns shown, and one array per task, problems first.
 * Only the fields the table shows are kept, so a 10,000-task page stays small. Pure.
 */
import { tally } from '../build-report.js';
import type { Report, TaskResult, TaskStatus } from '../types.js';

/** A cell: text, a number, or null for nothing. */
export type Cell = string | number | null;

/** The embedded table: column keys, their headings, and the rows in display order. */
export interface TaskTable {
  cols: string[];
  labels: string[];
  rows: Cell[][];
}

interface Column {
  key: string;
  label: string;
  value: (t: TaskResult) => Cell;
}

/** Always shown. */
const BASE: Column[] = [
  { key: 'name', label: 'task', value: (t) => t.name },
  { key: 'status', label: 'status', value: (t) => t.status },
  { key: 'code', label: 'error code', value: (t) => t.error_code ?? (t.http_status ? `HTTP ${t.http_status}` : null) },
  { key: 'message', label: 'message', value: (t) => t.error_msg ?? null },
  { key: 'task_id', label: 'task ID', value: (t) => t.task_id ?? null },
  { key: 'attempts', label: 'attempts', value: (t) => t.attempts },
  { key: 'line', label: 'line', value: (t) => t.line },
];

/** Shown when some task has a value: the instance (when tasks differ), the destroy and verify columns, notes. */
const OPTIONAL: Column[] = [
  { key: 'instance', label: 'instance', value: (t) => t.target?.instance_id ?? null },
  { key: 'before', label: 'task ID before', value: (t) => t.before?.task_id ?? null },
  { key: 'execution', label: 'execution', value: (t) => t.execution?.state ?? null },
  { key: 'remarks', label: 'execution remarks', value: (t) => t.execution?.remarks ?? t.execution?.note ?? null },
  { key: 'note', label: 'note', value: (t) => t.note ?? null },
];

/** Display order: failures, then failed executions, then what was not done, then the rest; by index within. */
const RANK: Partial<Record<TaskStatus, number>> = { failed: 0, invalid: 1, not_attempted: 3, foreign: 4 };

function rank(t: TaskResult): number {
  return RANK[t.status] ?? (t.execution?.state === 'failed' ? 2 : 5);
}

function shown(col: Column, tasks: readonly TaskResult[]): boolean {
  if (col.key !== 'instance') return tasks.some((t) => col.value(t) !== null);
  return new Set(tasks.map((t) => t.target?.instance_id)).size > 1;
}

/** The table of a report's tasks, failures first. */
export function taskTable(report: Report): TaskTable {
  const cols = [...BASE, ...OPTIONAL.filter((c) => shown(c, report.tasks))];
  const order = report.tasks.map((t, i) => ({ i, r: rank(t), index: t.index }));
  order.sort((a, b) => a.r - b.r || a.index - b.index || a.i - b.i);
  return {
    cols: cols.map((c) => c.key),
    labels: cols.map((c) => c.label),
    rows: order.map(({ i }) => cols.map((c) => c.value(report.tasks[i]!))),
  };
}

/** How many tasks are in each status they have, in the table's order: by rank, then as they first appear. */
export function statusCounts(report: Report): Array<[TaskStatus, number]> {
  const { total: _total, ...byStatus } = tally(report.tasks);
  return (Object.entries(byStatus) as Array<[TaskStatus, number]>).sort(
    (a, b) => (RANK[a[0]] ?? 5) - (RANK[b[0]] ?? 5),
  );
}
