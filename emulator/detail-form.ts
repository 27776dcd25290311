/**
 * `task_detail` in the response form. Huawei's SDK types the `task_detail` of the create, show and
 * update answers as "RawFormDataResponse" (the API reference's appendix "Data Integration Parameter
 * Description > RawFormDataResponse"; docs/FDI-API.md §5): snake_case keys, partly other than those
 * sent. What the appendix lets us read is the head of it — `project_id`, `task_name`, `task_type`
 * (lowercase), `description`, `source_datasource_type`, `source_datasource` (a name),
 * `source_ds_id`, the same three for the target, and `need_mqs`, `need_api`, `need_email_new` — and
 * the request's own sections in snake_case (`source_selected_datasource`,
 * `target_selected_datasource`, …). This module builds that form from a stored task: the head from
 * the task and its data sources, then every top-level key of the stored request detail in
 * snake_case with its value unchanged (nested keys as they were). Pure and deterministic.
 */
import type { DataSource } from '../lib/fdi/model/api.js';
import type { TaskRecord } from './state.js';

/** `sourceSelectedDatasource` → `source_selected_datasource`; a snake_case key stays as it is. */
export function snakeCase(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

/** The top-level entries of a stored detail, in their order; none when it is not a JSON object. */
function requestEntries(detail: string): [string, unknown][] {
  try {
    const v: unknown = JSON.parse(detail);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.entries(v) : [];
  } catch {
    return [];
  }
}

/**
 * The RawFormDataResponse string of a stored task. Keys in this order: the head (above; `description`
 * only when set), then the request detail's keys in snake_case. A request key whose snake_case name
 * is already there (a head key, or an earlier key of the same name) is left out, so every key is
 * written once.
 */
export function responseDetail(t: TaskRecord, datasources: ReadonlyMap<string, DataSource>): string {
  const src = datasources.get(t.source_datasource_id);
  const dst = datasources.get(t.target_datasource_id);
  const entries = new Map<string, unknown>([
    ['project_id', t.project_id],
    ['task_name', t.task_name],
    ['task_type', t.task_type.toLowerCase()],
    ['description', t.description || undefined],
    ['source_datasource_type', src?.datasource_type],
    ['source_datasource', src?.datasource_name],
    ['source_ds_id', t.source_datasource_id],
    ['target_datasource_type', dst?.datasource_type],
    ['target_datasource', dst?.datasource_name],
    ['target_ds_id', t.target_datasource_id],
    ['need_mqs', false],
    ['need_api', false],
    ['need_email_new', false],
  ]);
  for (const [key, value] of requestEntries(t.task_detail)) {
    const name = snakeCase(key);
    if (!entries.has(name)) entries.set(name, value);
  }
  // Written out entry by entry: a key such as "__proto__" stays a plain key.
  const parts: string[] = [];
  for (const [key, value] of entries) {
    if (value !== undefined) parts.push(`${JSON.stringify(key)}:${JSON.stringify(value)}`);
  }
  return `{${parts.join(',')}}`;
}
