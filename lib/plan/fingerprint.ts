/**
 * Comparing a manifest's task with one FDI shows back. Pure.
 *
 * FDI may show `task_detail` in its response form (RawFormDataResponse, snake_case, with fields of its
 * own; fdi-api.md §5.3) rather than as sent, and then the detail cannot be compared. So the two uses
 * lean to their safe sides: `on_exists: update` treats an uncomparable detail as changed (an update
 * too many is harmless), and the read-back after an ambiguous create (`sameDefinition`) compares the
 * task fields alone (a create of ours is never called someone else's for the service's formatting).
 */
import { createHash } from 'node:crypto';
import type { CreateTaskRequest, TaskResponse } from '../fdi/model.js';

/**
 * SHA-256 over the fields that define a task. The detail is compared as JSON, not as text: key order,
 * whitespace and number spelling do not count, so a service that stores the detail re-serialised
 * still matches the manifest.
 */
export function requestFingerprint(req: CreateTaskRequest): string {
  return createHash('sha256').update(taskFields(req)).update('\n').update(canonicalDetail(req.task_detail)).digest('hex');
}

function taskFields(req: CreateTaskRequest): string {
  const t = req.task;
  return JSON.stringify([t.task_name, t.task_type, t.source_datasource_id, t.target_datasource_id, t.description ?? null, t.task_tag ?? null]);
}

/** Keys only the response form of a detail has (RawFormDataResponse; the request form is camelCase). */
const RESPONSE_FORM_KEYS = ['source_selected_datasource', 'target_selected_datasource', 'source_ds_id', 'target_ds_id'];

/** Whether a shown detail is in the response form, which cannot be compared with a manifest's. */
export function isResponseForm(detail: string): boolean {
  try {
    const v: unknown = JSON.parse(detail);
    return typeof v === 'object' && v !== null && RESPONSE_FORM_KEYS.some((k) => Object.prototype.hasOwnProperty.call(v, k));
  } catch {
    return false;
  }
}

/** Whether a shown task is defined as `sent`: the task fields, and the detail where it is comparable. */
export function sameDefinition(shown: TaskResponse, sent: CreateTaskRequest): boolean {
  if (isResponseForm(shown.task_detail)) return taskFields(asRequest(shown)) === taskFields(sent);
  return existingFingerprint(shown) === requestFingerprint(sent);
}

/** The detail with object keys sorted at every level (the text as is when it is not JSON). */
function canonicalDetail(detail: string): string {
  let value: unknown;
  try {
    value = JSON.parse(detail);
  } catch {
    return detail;
  }
  return sortedJson(value);
}

function sortedJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(sortedJson).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${sortedJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The fingerprint of a task as FDI shows it (its response uses lowercase task types). */
export function existingFingerprint(res: TaskResponse): string {
  return requestFingerprint(asRequest(res));
}

function asRequest(res: TaskResponse): CreateTaskRequest {
  const t = res.task;
  return {
    task: {
      task_name: t.task_name,
      task_type: t.task_type.toUpperCase() as 'REALTIME' | 'TIMING',
      source_datasource_id: t.source_datasource_id,
      target_datasource_id: t.target_datasource_id,
      ...(t.description ? { description: t.description } : {}),
      ...(t.task_tag ? { task_tag: t.task_tag } : {}),
    },
    task_detail: res.task_detail,
  };
}
