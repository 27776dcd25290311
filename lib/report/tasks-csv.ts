/** `tasks.csv`: one row per task, through a CSV library (quoting, newlines in messages). Pure. */
import { stringify } from 'csv-stringify/sync';
import type { TaskResult } from './types.js';

export const CSV_COLUMNS = [
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
  // The task a run overwrote (TaskResult.before); appended, so that earlier columns keep their places.
  'before_task_id',
  'before_modified',
] as const;

/**
 * The columns of run_now and apply --verify (docs/VERIFY.md), appended after CSV_COLUMNS when a task
 * was run or verified: a plain apply's tasks.csv keeps its columns.
 */
export const EXECUTION_COLUMNS = ['run', 'execution', 'execution_remarks', 'data_count', 'dirty_data_count'] as const;

export function tasksCsv(results: TaskResult[]): string {
  const rows = results.map((r) => ({
    ...r,
    project_id: r.target?.project_id ?? '',
    instance_id: r.target?.instance_id ?? '',
    before_task_id: r.before?.task_id ?? '',
    before_modified: r.before?.modified ?? '',
    run: r.run ?? '',
    execution: r.execution?.state ?? '',
    execution_remarks: r.execution?.remarks ?? '',
    data_count: r.execution?.data_count ?? '',
    dirty_data_count: r.execution?.dirty_data_count ?? '',
  }));
  const executions = results.some((r) => r.run !== undefined || r.execution !== undefined);
  const columns = executions ? [...CSV_COLUMNS, ...EXECUTION_COLUMNS] : [...CSV_COLUMNS];
  return stringify(rows, { header: true, columns, cast: { boolean: (b) => (b ? 'true' : 'false') } });
}
