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
] as const;

export function tasksCsv(results: TaskResult[]): string {
  const rows = results.map((r) => ({
    ...r,
    project_id: r.target?.project_id ?? '',
    instance_id: r.target?.instance_id ?? '',
  }));
  return stringify(rows, { header: true, columns: [...CSV_COLUMNS], cast: { boolean: (b) => (b ? 'true' : 'false') } });
}
