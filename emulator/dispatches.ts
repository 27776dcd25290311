/**
 * The schedule ("dispatch") of a TIMING task: create, show, update. One dispatch per task. The body
 * has the fields of the SDK's TaskDispatch only; none of these calls changes the task's
 * last_modified_date.
 */
import type { TaskDispatch, TaskDispatchRsp } from '../lib/fdi/model/api.js';
import { DISPATCH_PERIODS, ERROR_CODES } from '../lib/fdi/model/api.js';
import { type ApiContext, type Reply, errorReply, invalidParameter, malformedJson, taskNotFound } from './api.js';
import { parseJson } from './http.js';
import { newId } from './state.js';
import { toDispatchRsp } from './views.js';

/** Documented limits of TaskDispatch (docs/FDI-API.md §6). */
export const DISPATCH_LIMITS = {
  interval: { min: 1, max: 59 },
  cron: { min: 8, max: 255, fields: [6, 7] },
  remark: { min: 8, max: 36 },
  startDatetime: { min: 946_684_800_000, max: 2_147_512_447_000 },
} as const;

const DISPATCH_KEYS = new Set(['start_datetime', 'period', 'dispatch_interval', 'remark', 'use_quartz_cron', 'cron']);

type Problem = [field: string, message: string];

function checkCron(cron: unknown): Problem | undefined {
  const { min, max, fields } = DISPATCH_LIMITS.cron;
  if (typeof cron !== 'string') return ['cron', 'is required when use_quartz_cron is true'];
  if (cron.length < min || cron.length > max)
    return ['cron', `must be ${min}–${max} characters long (got ${cron.length})`];
  const count = cron.trim().split(/\s+/).length;
  if (!(fields as readonly number[]).includes(count))
    return ['cron', `must be a Quartz expression of 6 or 7 fields (got ${count})`];
  return undefined;
}

function checkPeriod(d: Record<string, unknown>): Problem | undefined {
  if (!(DISPATCH_PERIODS as readonly unknown[]).includes(d.period))
    return ['period', `must be one of ${DISPATCH_PERIODS.join(', ')}`];
  const n = d.dispatch_interval;
  const { min, max } = DISPATCH_LIMITS.interval;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max)
    return ['dispatch_interval', `must be an integer ${min}..${max}`];
  return undefined;
}

/** The first broken rule of a TaskDispatch body, or undefined. */
export function checkDispatch(d: unknown): Problem | undefined {
  if (typeof d !== 'object' || d === null || Array.isArray(d)) return ['body', 'must be a JSON object'];
  const body = d as Record<string, unknown>;
  const unknownKey = Object.keys(body).find((k) => !DISPATCH_KEYS.has(k));
  if (unknownKey) return [unknownKey, 'is not a field of TaskDispatch'];
  if (body.use_quartz_cron !== undefined && typeof body.use_quartz_cron !== 'boolean')
    return ['use_quartz_cron', 'must be a boolean'];
  const problem = body.use_quartz_cron === true ? checkCron(body.cron) : checkPeriod(body);
  if (problem) return problem;
  if (body.remark !== undefined) {
    const { min, max } = DISPATCH_LIMITS.remark;
    if (typeof body.remark !== 'string' || body.remark.length < min || body.remark.length > max)
      return ['remark', `must be ${min}–${max} characters long`];
  }
  if (body.start_datetime !== undefined) {
    const { min, max } = DISPATCH_LIMITS.startDatetime;
    const v = body.start_datetime;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
      return ['start_datetime', `must be epoch milliseconds ${min}..${max}`];
  }
  return undefined;
}

function parseDispatch(ctx: ApiContext): { ok: true; value: TaskDispatch } | { ok: false; reply: Reply } {
  const parsed = parseJson(ctx.body);
  if (!parsed.ok) return { ok: false, reply: malformedJson() };
  const problem = checkDispatch(parsed.value);
  if (problem) return { ok: false, reply: invalidParameter(problem[0], problem[1]) };
  const d = parsed.value as TaskDispatch;
  return { ok: true, value: { use_quartz_cron: false, ...d } };
}

/** POST /tasks/{task_id}/dispatches: TIMING tasks only; a second POST is refused (update with PUT). */
export function createDispatch(ctx: ApiContext): Reply {
  const parsed = parseDispatch(ctx);
  if (!parsed.ok) return parsed.reply;
  const task = ctx.store.get(ctx.project, ctx.instance, ctx.params[0]);
  if (!task) return taskNotFound();
  if (task.task_type !== 'TIMING') return invalidParameter('task_id', 'only TIMING tasks have a dispatch');
  if (task.dispatch) {
    return invalidParameter(
      'task_id',
      `the task already has a dispatch (${task.dispatch.dispatch_id}); change it with PUT …/dispatches/{dispatch_id}`,
    );
  }
  const dispatch: TaskDispatchRsp = {
    ...parsed.value,
    dispatch_id: newId(),
    task_id: task.task_id,
    created_date: ctx.now,
    last_modified_date: ctx.now,
  };
  ctx.store.update(task, { dispatch });
  return { status: 200, body: toDispatchRsp(dispatch), committed: true };
}

/**
 * GET /tasks/{task_id}/dispatches: the single dispatch object. A task without one answers as the
 * noDispatch setting says: 404, 200 `{}`, or 200 `{task_id, use_quartz_cron: false}` without an ID.
 */
export function showDispatch(ctx: ApiContext): Reply {
  const task = ctx.store.get(ctx.project, ctx.instance, ctx.params[0]);
  if (!task) return taskNotFound();
  if (task.dispatch) return { status: 200, body: toDispatchRsp(task.dispatch) };
  if (ctx.noDispatch === 'empty') return { status: 200, body: {} };
  if (ctx.noDispatch === 'no-id') return { status: 200, body: { task_id: task.task_id, use_quartz_cron: false } };
  return errorReply(404, ERROR_CODES.invalidParameter, 'Invalid parameter [dispatch_id]: the task has no dispatch.');
}

/**
 * PUT /tasks/{task_id}/dispatches/{dispatch_id}: replaces the schedule fields. A dispatch ID the task
 * does not have ("undefined", a stale one, or any ID of a task without a schedule) answers 404 and is
 * counted in stats (dispatchPutsWithoutId).
 */
export function updateDispatch(ctx: ApiContext): Reply {
  const parsed = parseDispatch(ctx);
  if (!parsed.ok) return parsed.reply;
  const task = ctx.store.get(ctx.project, ctx.instance, ctx.params[0]);
  if (!task) return taskNotFound();
  const current = task.dispatch;
  if (!current || current.dispatch_id !== ctx.params[1]) {
    ctx.stats.dispatchPutWithoutId();
    return errorReply(
      404,
      ERROR_CODES.invalidParameter,
      'Invalid parameter [dispatch_id]: the task has no dispatch with this ID.',
    );
  }
  const dispatch: TaskDispatchRsp = {
    ...parsed.value,
    dispatch_id: current.dispatch_id,
    task_id: task.task_id,
    created_date: current.created_date,
    last_modified_date: ctx.now,
  };
  ctx.store.update(task, { dispatch });
  return { status: 200, body: toDispatchRsp(dispatch), committed: true };
}
