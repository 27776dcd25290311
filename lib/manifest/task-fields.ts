/**
 * A rendered task's fields other than its detail → checked values: what a `${…}` or an operator
 * rendered must still have the type the field needs, and a schedule must convert to the API's form.
 */
import type { TaskDispatch } from '../fdi/model/api.js';
import { isPlainObject, type JsonObject } from '../template/index.js';
import { describeValue } from './problem.js';
import { toDispatch } from './schedule.js';
import type { AddProblem } from './task-problem.js';
import type { DatasourceRef, TaskTarget } from './types.js';

/** The checked fields: undefined where a field is absent, or unusable (then a problem says why). */
export interface CheckedFields {
  name: string | undefined;
  source: DatasourceRef | undefined;
  targetDs: DatasourceRef | undefined;
  description: string | undefined;
  tag: string | undefined;
  /** The manifest's target with the task's merged over it. */
  target: TaskTarget;
  start: boolean | undefined;
  /** `run_now`: false when absent; undefined when unusable. */
  runNow: boolean | undefined;
  schedule: TaskDispatch | undefined;
}

const DATASOURCE_NAME = { min: 1, max: 255, forbidden: /[&<>"'()]/ };

/** Checks the rendered fields, reporting through `add`. */
export function checkFields(rendered: JsonObject, manifestTarget: TaskTarget, add: AddProblem): CheckedFields {
  // Properties are evaluated in the order written: it is the order in which the problems are reported.
  return {
    name: taskName(rendered.name, add),
    source: datasource(rendered.source_datasource, 'source_datasource', add),
    targetDs: datasource(rendered.target_datasource, 'target_datasource', add),
    description: optionalString(rendered.description, 'description', add),
    tag: optionalString(rendered.task_tag, 'task_tag', add),
    target: taskTarget(rendered.target, manifestTarget, add),
    start: flag(rendered.start, 'start', add),
    runNow: runNowFlag(rendered, add),
    schedule: dispatchOf(rendered, add),
  };
}

function taskName(v: unknown, add: AddProblem): string | undefined {
  if (typeof v === 'string') return v;
  add({
    field: 'name',
    kind: 'constraint',
    message: `the task name must render to a string (got ${describeValue(v)})`,
  });
  return undefined;
}

function datasource(
  v: unknown,
  field: 'source_datasource' | 'target_datasource',
  add: AddProblem,
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
function optionalString(v: unknown, field: 'description' | 'task_tag', add: AddProblem): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'string') return v;
  add({ field, kind: 'constraint', message: `${field} must render to a string (got ${describeValue(v)})` });
  return undefined;
}

function taskTarget(v: unknown, base: TaskTarget, add: AddProblem): TaskTarget {
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

/** A true/false field (`start`, `run_now`) that defaults to false. */
function flag(v: unknown, field: 'start' | 'run_now', add: AddProblem): boolean | undefined {
  const value = v ?? false;
  if (typeof value === 'boolean') return value;
  add({
    field,
    kind: 'constraint',
    message: `${field} must be true or false (got ${describeValue(value)})`,
    hint: 'use {$eval: "name"} rather than "${name}" to keep a variable\'s type',
  });
  return undefined;
}

/** `run_now` defaults to false; only a TIMING task can be run by hand (a REALTIME task runs once started). */
function runNowFlag(rendered: JsonObject, add: AddProblem): boolean | undefined {
  const v = flag(rendered.run_now, 'run_now', add);
  if (v && rendered.task_type === 'REALTIME') {
    add({
      field: 'run_now',
      kind: 'constraint',
      message: 'run_now applies to TIMING tasks only; this task is REALTIME',
      hint: 'a REALTIME task runs when it is started: use start: true instead of run_now',
    });
    return undefined;
  }
  return v;
}

/** The schedule in the API's dispatch form; only a TIMING task may have one. */
function dispatchOf(rendered: JsonObject, add: AddProblem): TaskDispatch | undefined {
  if (rendered.schedule === undefined) return undefined;
  const converted = toDispatch(rendered.schedule);
  for (const p of converted.problems)
    add({
      field: 'schedule',
      subpath: p.key ? [p.key] : undefined,
      kind: 'constraint',
      message: p.message,
      hint: p.hint,
    });
  if (rendered.task_type === 'REALTIME') {
    add({
      field: 'schedule',
      kind: 'constraint',
      message: 'a schedule applies to TIMING tasks only; this task is REALTIME',
      hint: 'set task_type: TIMING, or remove the schedule',
    });
  }
  return converted.dispatch;
}
