/**
 * What an update would change, field by field: the task's own fields, each changed path of its
 * `task_detail` (compared as JSON, where FDI shows the detail in the form sent: docs/FDI-API.md §5),
 * and the schedule's fields. Pure; planning shows it, so a change can be reviewed before it is applied.
 */
import type { CreateTaskRequest, TaskDispatch, TaskDispatchRsp, TaskResponse } from '../fdi/model/api.js';

/** One difference: at `path`, what FDI holds (`from`) and what the manifest asks for (`to`). */
export interface Change {
  path: string;
  from?: unknown;
  to?: unknown;
  /** When the values cannot be compared: why. */
  note?: string;
}

/** The schedule fields the product sets; absent, null and "" all mean "not set". */
export const SCHEDULE_FIELDS = [
  'use_quartz_cron',
  'cron',
  'period',
  'dispatch_interval',
  'start_datetime',
  'remark',
] as const;

const isSet = (v: unknown) => v !== undefined && v !== null && v !== '';

/** The schedule's differences; none when FDI's schedule is the manifest's. */
export function scheduleChanges(have: TaskDispatchRsp | undefined, want: TaskDispatch): Change[] {
  const changes: Change[] = [];
  for (const f of SCHEDULE_FIELDS) {
    const from = have?.[f];
    const to = want[f];
    if (!isSet(from) && !isSet(to)) continue;
    // A cron schedule needs no period, and a period one no cron: what FDI fills in there is not a change.
    if (!isSet(to) && want.use_quartz_cron !== undefined && irrelevant(f, want.use_quartz_cron)) continue;
    if (from !== to) changes.push(change(`schedule.${f}`, from, to));
  }
  return changes;
}

function irrelevant(field: (typeof SCHEDULE_FIELDS)[number], cron: boolean): boolean {
  return cron ? field === 'period' || field === 'dispatch_interval' : field === 'cron';
}

/** The task's differences: its fields, then its detail path by path. */
export function taskChanges(shown: TaskResponse, sent: CreateTaskRequest): Change[] {
  const changes: Change[] = [];
  const fields = [
    ['task_type', shown.task.task_type?.toUpperCase(), sent.task.task_type],
    ['source_datasource_id', shown.task.source_datasource_id, sent.task.source_datasource_id],
    ['target_datasource_id', shown.task.target_datasource_id, sent.task.target_datasource_id],
    ['description', shown.task.description, sent.task.description],
    ['task_tag', shown.task.task_tag, sent.task.task_tag],
  ] as const;
  for (const [name, from, to] of fields) {
    if ((isSet(from) || isSet(to)) && from !== to) changes.push(change(`task.${name}`, from, to));
  }
  return [...changes, ...detailChanges(shown.task_detail, sent.task_detail)];
}

/** The detail's differences by JSON path, when FDI shows it in the form sent (same top-level keys). */
function detailChanges(shown: string, sent: string): Change[] {
  const a = parse(shown);
  const b = parse(sent);
  if (!isObject(a) || !isObject(b)) {
    return shown === sent
      ? []
      : [{ path: 'task_detail', note: 'not JSON on one side: compared as text, and it differs' }];
  }
  if (JSON.stringify(Object.keys(a).sort()) !== JSON.stringify(Object.keys(b).sort())) {
    return [
      { path: 'task_detail', note: 'FDI shows the detail in its own form, so it cannot be compared path by path' },
    ];
  }
  const out: Change[] = [];
  diffValues('task_detail', a, b, out);
  return out;
}

function diffValues(path: string, from: unknown, to: unknown, out: Change[]): void {
  if (isObject(from) && isObject(to)) {
    const keys = [...new Set([...Object.keys(to), ...Object.keys(from)])];
    for (const k of keys) diffValues(`${path}.${k}`, from[k], to[k], out);
    return;
  }
  if (Array.isArray(from) && Array.isArray(to) && from.length === to.length) {
    from.forEach((v, i) => diffValues(`${path}[${i}]`, v, to[i], out));
    return;
  }
  if (JSON.stringify(from) !== JSON.stringify(to)) out.push(change(path, from, to));
}

/** A change without the side that is not set (a field added or removed shows one value). */
function change(path: string, from: unknown, to: unknown): Change {
  return { path, from: isSet(from) ? from : undefined, to: isSet(to) ? to : undefined };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
