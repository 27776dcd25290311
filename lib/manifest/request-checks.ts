/**
 * The create-call rules on a rendered task: the body that would be sent goes through the shared
 * validator (lib/fdi/model/validate.ts), with a placeholder for data sources that are given by name,
 * and each violation becomes a problem of the manifest field it comes from.
 */
import { validateCreateRequest } from '../fdi/model/validate.js';
import type { JsonObject } from '../template/index.js';
import type { RenderedField } from './entry-plan.js';
import type { CheckedFields } from './task-fields.js';
import type { TaskProblem } from './task-problem.js';
import type { DatasourceRef } from './types.js';

/** Stands in for a data source ID that plan/apply will resolve from a name (any valid ID would do). */
const PLACEHOLDER_ID = '<resolved-later>';

const REQUEST_FIELD: Record<string, { field: RenderedField; label: string; hint?: string }> = {
  'task.task_name': {
    field: 'name',
    label: 'task name',
    hint: 'names are 3–100 characters: letters, digits, ".", "_" and "-", starting with a letter or digit',
  },
  'task.task_type': {
    field: 'task_type',
    label: 'task_type',
    hint: 'set task_type: REALTIME or TIMING (in the task, its template or defaults)',
  },
  'task.source_datasource_id': {
    field: 'source_datasource',
    label: 'source_datasource',
    hint: 'set source_datasource: an ID, or {name: …}',
  },
  'task.target_datasource_id': {
    field: 'target_datasource',
    label: 'target_datasource',
    hint: 'set target_datasource: an ID, or {name: …}',
  },
  'task.description': { field: 'description', label: 'description', hint: 'descriptions are 1–1024 characters' },
  'task.task_tag': {
    field: 'task_tag',
    label: 'task_tag',
    hint: 'tags are 4–64 characters: letters, digits, "-" and "_"',
  },
  task_detail: { field: 'detail', label: 'task_detail' },
};

/** The validator's problems with the body this task would send; `detail` is undefined when it cannot be sent. */
export function requestProblems(
  rendered: JsonObject,
  fields: CheckedFields,
  detail: string | undefined,
): TaskProblem[] {
  const { description, tag } = fields;
  const task = {
    task_name: rendered.name,
    task_type: rendered.task_type,
    source_datasource_id: idForCheck(fields.source, rendered.source_datasource),
    target_datasource_id: idForCheck(fields.targetDs, rendered.target_datasource),
    ...(description !== undefined && { description }),
    ...(tag !== undefined && { task_tag: tag }),
  };
  const problems: TaskProblem[] = [];
  for (const v of validateCreateRequest({ task, task_detail: detail ?? '{}' })) {
    const meta = REQUEST_FIELD[v.field];
    if (!meta) continue;
    // A name that is not a string is already reported as such.
    if (v.field === 'task.task_name' && fields.name === undefined) continue;
    const value = v.field.startsWith('task.') ? (task as Record<string, unknown>)[v.field.slice(5)] : undefined;
    problems.push({
      field: meta.field,
      requestField: v.field,
      kind: 'constraint',
      message: `${meta.label}${shownValue(value, v.message)} ${v.message}`,
      hint: meta.hint,
    });
  }
  return problems;
}

/** The ID the validator sees: the real one, the placeholder for a name, or what was rendered when it is unusable. */
function idForCheck(ref: DatasourceRef | undefined, raw: unknown): unknown {
  if (ref) return 'id' in ref ? ref.id : PLACEHOLDER_ID;
  if (raw === undefined || typeof raw === 'string') return raw;
  return PLACEHOLDER_ID; // already reported as the wrong type
}

/** ` "value"` to name the offending value in a message, unless it is long, a placeholder or already quoted. */
function shownValue(value: unknown, message: string): string {
  return typeof value === 'string' &&
    value !== PLACEHOLDER_ID &&
    value.length <= 120 &&
    !message.includes(JSON.stringify(value))
    ? ` ${JSON.stringify(value)}`
    : '';
}
