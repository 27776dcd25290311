/**
 * The one validator of the create-call constraints (docs/FDI-API.md §3), used by the manifest checker before
 * anything is sent and by the emulator to answer 400. It returns every violation, each naming its field.
 */
import { TASK_TYPES } from './api.js';

/** One broken rule of the create call. `field` is a dotted path such as `task.task_name`. */
export interface Violation {
  field: string;
  message: string;
}

/** The documented limits of CreateCommonTask. */
export const CREATE_LIMITS = {
  taskName: { min: 3, max: 100, pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*$/ },
  datasourceId: { min: 1, max: 64 },
  description: { min: 1, max: 1024 },
  taskTag: { min: 4, max: 64, pattern: /^[A-Za-z0-9_-]+$/ },
  taskDetail: { min: 1, max: 2_147_483_647 },
} as const;

const TASK_KEYS = new Set([
  'task_name',
  'task_type',
  'source_datasource_id',
  'target_datasource_id',
  'description',
  'task_tag',
]);

/** Checks a task name alone (3–100 chars, starts with a letter or digit, then letters, digits, `._-`). */
export function checkTaskName(name: unknown, field = 'task.task_name'): Violation[] {
  if (typeof name !== 'string') return [{ field, message: 'is required and must be a string' }];
  const { min, max, pattern } = CREATE_LIMITS.taskName;
  const out: Violation[] = [];
  if (name.length < min || name.length > max) {
    out.push({ field, message: `must be ${min}–${max} characters long (got ${name.length})` });
  }
  if (name.length > 0 && !pattern.test(name)) {
    out.push({
      field,
      message: 'must start with a letter or digit and contain only letters, digits, ".", "_" and "-"',
    });
  }
  return out;
}

/** Checks a task tag alone (4–64 chars of letters, digits, `-`, `_`). */
export function checkTaskTag(tag: unknown, field = 'task.task_tag'): Violation[] {
  if (typeof tag !== 'string') return [{ field, message: 'must be a string' }];
  const { min, max, pattern } = CREATE_LIMITS.taskTag;
  const out: Violation[] = [];
  if (tag.length < min || tag.length > max) {
    out.push({ field, message: `must be ${min}–${max} characters long (got ${tag.length})` });
  }
  if (tag.length > 0 && !pattern.test(tag)) {
    out.push({ field, message: 'may contain only letters, digits, "-" and "_"' });
  }
  return out;
}

function checkLength(value: unknown, field: string, min: number, max: number, required: boolean): Violation[] {
  if (value === undefined || value === null) {
    return required ? [{ field, message: 'is required' }] : [];
  }
  if (typeof value !== 'string') return [{ field, message: 'must be a string' }];
  if (value.length < min || value.length > max) {
    return [{ field, message: `must be ${min}–${max} characters long (got ${value.length})` }];
  }
  return [];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Validates a create/update request body against every documented rule and returns all violations
 * (empty when valid). Unknown keys inside `task` are violations too: the real API ignores nothing silently.
 */
export function validateCreateRequest(body: unknown): Violation[] {
  if (!isObject(body)) return [{ field: 'body', message: 'must be a JSON object with "task" and "task_detail"' }];
  const out: Violation[] = [];
  const task = body.task;
  if (!isObject(task)) {
    out.push({ field: 'task', message: 'is required and must be an object' });
  } else {
    out.push(...checkTaskName(task.task_name));
    if (task.task_type === undefined) {
      out.push({ field: 'task.task_type', message: 'is required' });
    } else if (!TASK_TYPES.includes(task.task_type as never)) {
      out.push({
        field: 'task.task_type',
        message: `must be one of ${TASK_TYPES.join(', ')} (got ${JSON.stringify(task.task_type)})`,
      });
    }
    const ds = CREATE_LIMITS.datasourceId;
    out.push(...checkLength(task.source_datasource_id, 'task.source_datasource_id', ds.min, ds.max, true));
    out.push(...checkLength(task.target_datasource_id, 'task.target_datasource_id', ds.min, ds.max, true));
    const d = CREATE_LIMITS.description;
    out.push(...checkLength(task.description, 'task.description', d.min, d.max, false));
    if (task.task_tag !== undefined && task.task_tag !== null) out.push(...checkTaskTag(task.task_tag));
    for (const key of Object.keys(task)) {
      if (!TASK_KEYS.has(key)) out.push({ field: `task.${key}`, message: 'is not a field of TaskBasicRequestBody' });
    }
  }
  const detail = body.task_detail;
  if (detail === undefined || detail === null) {
    out.push({ field: 'task_detail', message: 'is required' });
  } else if (typeof detail !== 'string') {
    out.push({ field: 'task_detail', message: 'must be a string holding JSON' });
  } else if (detail.length < CREATE_LIMITS.taskDetail.min) {
    out.push({ field: 'task_detail', message: 'must not be empty' });
  }
  return out;
}
