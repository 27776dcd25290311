/**
 * A rendered task → an ExpandedTask, checked: rendered types, the schedule, the detail, and then the
 * create-call rules through the shared validator (lib/fdi/model/validate.ts) on the body that would be sent,
 * with a placeholder for data sources that are given by name.
 */
import type { TaskType } from '../fdi/model/api.js';
import { CREATE_LIMITS, validateCreateRequest } from '../fdi/model/validate.js';
import { isPlainObject, type JsonObject, stringifyJson } from '../template/index.js';
import type { EntryPlan, RenderedField } from './entries.js';
import { toDispatch } from './schedule.js';
import type { DatasourceRef, ExpandedTask, ProblemKind, TaskTarget } from './types.js';
import { describeValue } from './schema-problems.js';

/** A problem of one rendered task, before it is located. */
export interface TaskProblem {
  field: RenderedField | 'detail_json';
  /** Path inside the field (e.g. the key of a schedule). */
  subpath?: string[] | undefined;
  /** The create-request field, for problems found by the validator. */
  requestField?: string | undefined;
  kind: ProblemKind;
  message: string;
  hint?: string | undefined;
}

/** Stands in for a data source ID that plan/apply will resolve from a name (any valid ID would do). */
const PLACEHOLDER_ID = '<resolved-later>';

const DATASOURCE_NAME = { min: 1, max: 255, forbidden: /[&<>"'()]/ };

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

export interface FinishOptions {
  index: number;
  manifestTarget: TaskTarget;
  maxDetailBytes: number;
}

/** Checks a rendered task and builds the ExpandedTask when it has no problem. */
export function finishTask(
  rendered: JsonObject,
  plan: EntryPlan,
  opts: FinishOptions,
): { task?: ExpandedTask; problems: TaskProblem[] } {
  const problems: TaskProblem[] = [];
  const add = (p: TaskProblem) => problems.push(p);

  const name = rendered.name;
  if (typeof name !== 'string')
    add({
      field: 'name',
      kind: 'constraint',
      message: `the task name must render to a string (got ${describeValue(name)})`,
    });
  const source = datasource(rendered.source_datasource, 'source_datasource', add);
  const targetDs = datasource(rendered.target_datasource, 'target_datasource', add);
  const description = optionalString(rendered.description, 'description', add);
  const tag = optionalString(rendered.task_tag, 'task_tag', add);
  const target = taskTarget(rendered.target, opts.manifestTarget, add);
  const start = rendered.start ?? false;
  if (typeof start !== 'boolean')
    add({
      field: 'start',
      kind: 'constraint',
      message: `start must be true or false (got ${describeValue(start)})`,
      hint: 'use {$eval: "name"} rather than "${name}" to keep a variable\'s type',
    });

  let schedule: ExpandedTask['schedule'];
  if (rendered.schedule !== undefined) {
    const converted = toDispatch(rendered.schedule);
    for (const p of converted.problems)
      add({
        field: 'schedule',
        subpath: p.key ? [p.key] : undefined,
        kind: 'constraint',
        message: p.message,
        hint: p.hint,
      });
    schedule = converted.dispatch;
    if (rendered.task_type === 'REALTIME') {
      add({
        field: 'schedule',
        kind: 'constraint',
        message: 'a schedule applies to TIMING tasks only; this task is REALTIME',
        hint: 'set task_type: TIMING, or remove the schedule',
      });
    }
  }

  const detail = taskDetail(rendered, plan, opts.maxDetailBytes, add);
  const body = {
    task: {
      task_name: name,
      task_type: rendered.task_type,
      source_datasource_id: idForCheck(source, rendered.source_datasource),
      target_datasource_id: idForCheck(targetDs, rendered.target_datasource),
      ...(description !== undefined && { description }),
      ...(tag !== undefined && { task_tag: tag }),
    },
    task_detail: detail ?? '{}',
  };
  for (const v of validateCreateRequest(body)) {
    const meta = REQUEST_FIELD[v.field];
    if (!meta) continue;
    if (v.field === 'task.task_name' && typeof name !== 'string') continue;
    const value = v.field.startsWith('task.') ? (body.task as Record<string, unknown>)[v.field.slice(5)] : undefined;
    const shown =
      typeof value === 'string' &&
      value !== PLACEHOLDER_ID &&
      value.length <= 120 &&
      !v.message.includes(JSON.stringify(value))
        ? ` ${JSON.stringify(value)}`
        : '';
    add({
      field: meta.field,
      requestField: v.field,
      kind: 'constraint',
      message: `${meta.label}${shown} ${v.message}`,
      hint: meta.hint,
    });
  }
  if (problems.length || !source || !targetDs || detail === undefined || typeof name !== 'string') return { problems };
  const task: ExpandedTask = {
    index: opts.index,
    name,
    line: plan.position.line,
    column: plan.position.column,
    target,
    task_type: rendered.task_type as TaskType,
    source,
    target_ds: targetDs,
    ...(description !== undefined && { description }),
    ...(tag !== undefined && { task_tag: tag }),
    task_detail: detail,
    ...(schedule && { schedule }),
    start: start as boolean,
  };
  return { task, problems };
}

/** The ID the validator sees: the real one, the placeholder for a name, or what was rendered when it is unusable. */
function idForCheck(ref: DatasourceRef | undefined, raw: unknown): unknown {
  if (ref) return 'id' in ref ? ref.id : PLACEHOLDER_ID;
  if (raw === undefined || typeof raw === 'string') return raw;
  return PLACEHOLDER_ID; // already reported as the wrong type
}

function datasource(
  v: unknown,
  field: 'source_datasource' | 'target_datasource',
  add: (p: TaskProblem) => void,
): DatasourceRef | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v ? { id: v } : undefined;
  if (isPlainObject(v)) {
    const keys = Object.keys(v).filter((k) => v[k] !== undefined);
    if (keys.length === 1 && keys[0] === 'id' && typeof v.id === 'string' && v.id) return { id: v.id };
    if (keys.length === 1 && keys[0] === 'name' && typeof v.name === 'string') {
      const { min, max, forbidden } = DATASOURCE_NAME;
      if (v.name.length < min || v.name.length > max || forbidden.test(v.name)) {
        add({
          field,
          kind: 'constraint',
          message: `${field} name ${JSON.stringify(v.name)} cannot be a data source name`,
          hint: `data source names are ${min}–${max} characters without & < > " ' ( )`,
        });
        return undefined;
      }
      return { name: v.name };
    }
  }
  add({
    field,
    kind: 'constraint',
    message: `${field} must render to an ID string, {name: …} or {id: …} (got ${describeValue(v)})`,
  });
  return undefined;
}

/** Absent, null and empty mean "none" (the API wants optional strings omitted rather than empty). */
function optionalString(
  v: unknown,
  field: 'description' | 'task_tag',
  add: (p: TaskProblem) => void,
): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'string') return v;
  add({ field, kind: 'constraint', message: `${field} must render to a string (got ${describeValue(v)})` });
  return undefined;
}

function taskTarget(v: unknown, base: TaskTarget, add: (p: TaskProblem) => void): TaskTarget {
  const out: TaskTarget = { ...base };
  if (v === undefined) return out;
  if (!isPlainObject(v)) {
    add({ field: 'target', kind: 'constraint', message: `target must render to a mapping (got ${describeValue(v)})` });
    return out;
  }
  for (const key of ['project_id', 'instance_id'] as const) {
    const value = v[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value.length < 1 || value.length > 64) {
      add({
        field: 'target',
        subpath: [key],
        kind: 'constraint',
        message: `target.${key} must be 1–64 characters (got ${describeValue(value)})`,
      });
    } else out[key] = value;
  }
  return out;
}

function taskDetail(
  rendered: JsonObject,
  plan: EntryPlan,
  maxBytes: number,
  add: (p: TaskProblem) => void,
): string | undefined {
  let text: string;
  let field: 'detail' | 'detail_json' = 'detail';
  if (plan.detail.kind === 'json') {
    field = 'detail_json';
    if (plan.detail.problem) {
      add({ field, kind: 'constraint', ...plan.detail.problem });
      return undefined;
    }
    text = plan.detail.text;
  } else if (plan.detail.kind === 'object') {
    const d = rendered.detail;
    if (!isPlainObject(d)) {
      add({
        field,
        kind: 'constraint',
        message: `detail must render to a JSON object (got ${describeValue(d)})`,
        hint: 'task_detail is a RawFormDataRequest object; a $if without else, or a $map, may have replaced it',
      });
      return undefined;
    }
    text = stringifyJson(d);
  } else {
    add({
      field: 'detail',
      kind: 'constraint',
      message: 'the task has no detail',
      hint: 'set detail (YAML) or detail_json (a JSON string) in the task, its template or defaults',
    });
    return undefined;
  }
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > maxBytes) {
    add({
      field,
      kind: 'bound',
      message: `task_detail is ${bytes.toLocaleString('en-US')} bytes; at most ${maxBytes.toLocaleString('en-US')} are allowed`,
      hint: 'make the detail smaller, or raise maxDetailBytes',
    });
    return undefined;
  }
  if (text.length < CREATE_LIMITS.taskDetail.min) return undefined;
  return text;
}
