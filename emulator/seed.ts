/**
 * seedTask: puts a task straight into an instance, for tests — in particular a task the FDI task API
 * of this emulator cannot create, such as a composite task (`ext_type` CDC and the like, created in
 * the real service through the multi-task calls). Not an FDI call: no auth, no faults, not counted in
 * stats; the task is stored (and persisted) like any other.
 */
import { EXECUTE_STATUSES, type ExecuteStatus, type TaskType } from '../lib/fdi/model/api.js';
import type { EmulatorCore } from './core.js';
import { holdsJsonObject } from './http.js';
import { EmulatorConfigError } from './options.js';
import { type TaskRecord, newId } from './state.js';

/** What seedTask takes. Only `task_name` is required. */
export interface SeedTaskSpec {
  /** Default: the first configured project. */
  project?: string | undefined;
  /** Default: the first configured instance. */
  instance?: string | undefined;
  task_name: string;
  /** Default: REALTIME when `ext_type` is given, otherwise TIMING. */
  task_type?: TaskType | undefined;
  /** The kind of a composite task, e.g. 'CDC'; absent for a common task. */
  ext_type?: string | undefined;
  /** Default: the first configured data source (for both). */
  source_datasource_id?: string | undefined;
  target_datasource_id?: string | undefined;
  description?: string | undefined;
  task_tag?: string | undefined;
  /** A JSON object as a string; default '{}'. */
  task_detail?: string | undefined;
  /** Default 'stop'. */
  status?: 'stop' | 'running' | undefined;
  /** Default: UNSTARTED for a stopped task; RUNNING (REALTIME) or WAITING (TIMING) for a running one. */
  execute_status?: ExecuteStatus | undefined;
}

const STRING_KEYS = [
  'project',
  'instance',
  'task_name',
  'ext_type',
  'source_datasource_id',
  'target_datasource_id',
  'description',
  'task_tag',
  'task_detail',
] as const;
const CHOICES: Record<string, readonly string[]> = {
  task_type: ['REALTIME', 'TIMING'],
  status: ['stop', 'running'],
  execute_status: EXECUTE_STATUSES,
};
const KNOWN = new Set<string>([...STRING_KEYS, ...Object.keys(CHOICES)]);

/** Every problem of the spec's shape: unknown keys, wrong types, a task_detail that is no JSON object. */
function shapeProblems(spec: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(spec)) if (!KNOWN.has(key)) problems.push(`${key} is not a field of a seeded task`);
  for (const key of STRING_KEYS) {
    const v = spec[key];
    if (v !== undefined && (typeof v !== 'string' || v === '')) problems.push(`${key} must be a non-empty string`);
  }
  if (spec.task_name === undefined) problems.push('task_name is required');
  for (const [key, choices] of Object.entries(CHOICES)) {
    const v = spec[key];
    if (v !== undefined && !(typeof v === 'string' && choices.includes(v)))
      problems.push(`${key} must be one of ${choices.join(', ')} (got ${JSON.stringify(v)})`);
  }
  if (typeof spec.task_detail === 'string' && !holdsJsonObject(spec.task_detail))
    problems.push('task_detail must hold a JSON object');
  return problems;
}

/** The task a valid spec describes, defaults filled in. */
function recordOf(core: EmulatorCore, spec: SeedTaskSpec): TaskRecord {
  const firstDs = core.datasources.keys().next().value as string;
  const task_type = spec.task_type ?? (spec.ext_type ? 'REALTIME' : 'TIMING');
  const status = spec.status ?? 'stop';
  const running = task_type === 'REALTIME' ? 'RUNNING' : 'WAITING';
  const now = Date.now();
  return {
    project_id: spec.project ?? core.options.projects[0],
    instance_id: spec.instance ?? core.options.instances[0],
    task_id: newId(),
    task_name: spec.task_name,
    task_type,
    source_datasource_id: spec.source_datasource_id ?? firstDs,
    target_datasource_id: spec.target_datasource_id ?? firstDs,
    description: spec.description,
    task_tag: spec.task_tag,
    task_detail: spec.task_detail ?? '{}',
    status,
    execute_status: spec.execute_status ?? (status === 'running' ? running : 'UNSTARTED'),
    created_date: now,
    last_modified_date: now,
    version: 1,
    ext_type: spec.ext_type,
  };
}

/**
 * Stores a task described by `spec` (checked, since it may come over HTTP) and returns a copy of it.
 * Throws EmulatorConfigError naming every problem: a bad field, an unknown project, instance or data
 * source, or a name already taken in the instance. The instance's task quota does not apply.
 */
export function seedTask(core: EmulatorCore, spec: unknown): TaskRecord {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec))
    throw new EmulatorConfigError('a seeded task must be an object such as {"task_name":"cdc-1","ext_type":"CDC"}');
  const problems = shapeProblems(spec as Record<string, unknown>);
  if (problems.length > 0) throw new EmulatorConfigError(problems.join('; '));
  const record = recordOf(core, spec as SeedTaskSpec);
  const { projects, instances } = core.options;
  if (!projects.includes(record.project_id)) problems.push(`project "${record.project_id}" is not configured`);
  if (!instances.includes(record.instance_id)) problems.push(`instance "${record.instance_id}" is not configured`);
  for (const id of new Set([record.source_datasource_id, record.target_datasource_id])) {
    if (!core.datasources.has(id)) problems.push(`data source "${id}" does not exist`);
  }
  if (core.store.findByName(record.project_id, record.instance_id, record.task_name))
    problems.push(`a task named "${record.task_name}" already exists in this instance`);
  if (problems.length > 0) throw new EmulatorConfigError(problems.join('; '));
  core.store.add(record);
  return structuredClone(record);
}
