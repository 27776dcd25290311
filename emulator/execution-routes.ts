/**
 * The execution routes, as Huawei's Python SDK for ROMA has them (docs/FDI-API.md §2): RunTask
 * (`POST /tasks/{task_id}/run`), StopTask (`POST /tasks/{task_id}/terminate`), ListMonitorInfos
 * (`GET /task-monitors`) and ListMonitorLog (`GET /tasks/{task_id}/monitor-logs`). The executions are
 * simulated (executions.ts).
 */
import type { ExecuteStatus, TaskMonitorInfo } from '../lib/fdi/model/api.js';
import { ERROR_CODES, EXECUTE_STATUSES, MAX_PAGE_LIMIT, MONITOR_FIRST_OFFSET } from '../lib/fdi/model/api.js';
import {
  type ApiContext,
  type Reply,
  errorReply,
  intParam,
  invalidParameter,
  isReply,
  page,
  taskNotFound,
} from './api.js';
import { statusAt, toMonitorLog } from './executions.js';
import type { TaskRecord } from './state.js';
import { ENTERPRISE_PROJECT_ID } from './views.js';

/**
 * The task's execute_status at `now`: its latest execution's, or, before any execution, the one its
 * status changes left (UNSTARTED, WAITING for a started TIMING task, CANCELLED after a stop…).
 */
export function executeStatusOf(ctx: ApiContext, t: TaskRecord): ExecuteStatus {
  const last = ctx.executions.latest(t.project_id, t.instance_id, t.task_id);
  return last ? statusAt(last, ctx.now) : t.execute_status;
}

/** Whether the task counts as running for DELETE: started, or an execution of it is RUNNING. */
export function isBusy(ctx: ApiContext, t: TaskRecord): boolean {
  return (
    t.status === 'running' || ctx.executions.running(t.project_id, t.instance_id, t.task_id, ctx.now) !== undefined
  );
}

/** POST /tasks/{task_id}/run: one execution now. TIMING tasks only; refused while one is running. */
export function runTask(ctx: ApiContext): Reply {
  const task = ctx.store.get(ctx.project, ctx.instance, ctx.params[0]);
  if (!task) return taskNotFound();
  if (task.task_type !== 'TIMING' || task.ext_type) {
    return invalidParameter('task_type', 'only a TIMING task can be run by hand; start a REALTIME task instead');
  }
  if (ctx.executions.running(ctx.project, ctx.instance, task.task_id, ctx.now)) {
    return errorReply(
      400,
      ERROR_CODES.tasksRunning,
      'One or more tasks are running: the previous execution of the task has not ended.',
    );
  }
  ctx.executions.begin(task, 'run', ctx.execution, ctx.now);
  ctx.stats.executionStarted(task.task_name);
  return { status: 200, body: {}, committed: true };
}

/** POST /tasks/{task_id}/terminate: ends the running execution (CANCELLED); the task's status stays. */
export function terminateTask(ctx: ApiContext): Reply {
  const task = ctx.store.get(ctx.project, ctx.instance, ctx.params[0]);
  if (!task) return taskNotFound();
  const running = ctx.executions.running(ctx.project, ctx.instance, task.task_id, ctx.now);
  if (!running) return invalidParameter('task_id', 'the task has no running execution.');
  ctx.executions.cancel(running, 'terminate', ctx.now);
  ctx.stats.terminated();
  return { status: 200, body: { message: 'success' }, committed: true };
}

/**
 * offset (1-based: the documentation reads 0, and the emulator anything below 1, as 1) and limit
 * (default 10, > 999 gives 999, < 1 refused), as 0-based bounds for page().
 */
function monitorPaging(query: URLSearchParams): { start: number; limit: number } | Reply {
  const offset = intParam(query, 'offset', MONITOR_FIRST_OFFSET);
  const limit = intParam(query, 'limit', 10);
  if (offset === undefined) return invalidParameter('offset', 'must be an integer');
  if (limit === undefined || limit < 1) return invalidParameter('limit', 'must be an integer of at least 1');
  return {
    start: Math.max(MONITOR_FIRST_OFFSET, offset) - MONITOR_FIRST_OFFSET,
    limit: Math.min(MAX_PAGE_LIMIT, limit),
  };
}

/** The task's monitor entry (TaskMonitorInfo) at `now`. */
function toMonitorInfo(ctx: ApiContext, t: TaskRecord): TaskMonitorInfo {
  const src = ctx.datasources.get(t.source_datasource_id);
  const dst = ctx.datasources.get(t.target_datasource_id);
  const last = ctx.executions.latest(t.project_id, t.instance_id, t.task_id);
  const d = t.task_type === 'TIMING' ? t.dispatch : undefined;
  const info: TaskMonitorInfo = {
    task_id: t.task_id,
    task_name: t.task_name,
    task_type: t.task_type,
    status: t.status === 'running' ? 1 : 0,
    last_execute_time: last?.start_time,
    use_quartz_cron: d ? Boolean(d.use_quartz_cron) : undefined,
    cron: d?.use_quartz_cron ? d.cron : undefined,
    period: d && !d.use_quartz_cron ? d.period || undefined : undefined,
    dispatch_interval: d && !d.use_quartz_cron ? d.dispatch_interval : undefined,
    position: last ? toMonitorLog(last, ctx.now).position : undefined,
    execute_status: executeStatusOf(ctx, t),
    source_app_id: src?.app_id,
    source_app_name: src?.app_name,
    source_instance_id: src?.instance_id ?? t.instance_id,
    target_app_id: dst?.app_id,
    target_app_name: dst?.app_name,
    target_instance_id: dst?.instance_id ?? t.instance_id,
    ext_type: t.ext_type || undefined,
    enterprise_project_id: ENTERPRISE_PROJECT_ID,
    task_tag: t.task_tag || undefined,
  };
  for (const k of Object.keys(info) as (keyof TaskMonitorInfo)[]) if (info[k] === undefined) delete info[k];
  return info;
}

/**
 * GET /task-monitors: every task of the instance in creation order, filtered by `task_name` (a
 * case-sensitive substring, as the SDK says) and `execute_status` (exact; a value outside the enum is a
 * 400). Other parameters, `name` included, are ignored.
 */
export function listTaskMonitors(ctx: ApiContext): Reply {
  const paging = monitorPaging(ctx.query);
  if (isReply(paging)) return paging;
  const name = ctx.query.get('task_name');
  const status = ctx.query.get('execute_status');
  if (status && !(EXECUTE_STATUSES as readonly string[]).includes(status))
    return invalidParameter('execute_status', `must be one of ${EXECUTE_STATUSES.join(', ')}`);
  const matching = ctx.store
    .list(ctx.project, ctx.instance)
    .filter((t) => !name || t.task_name.includes(name))
    .filter((t) => !status || executeStatusOf(ctx, t) === status);
  const p = page(matching, paging.start, paging.limit);
  return { status: 200, body: { ...p, entities: p.entities.map((t) => toMonitorInfo(ctx, t)) } };
}

/**
 * GET /tasks/{task_id}/monitor-logs: the task's executions, newest first, those that started within
 * `begin_time`..`end_time` (epoch ms, both inclusive, both optional).
 */
export function listMonitorLogs(ctx: ApiContext): Reply {
  const paging = monitorPaging(ctx.query);
  if (isReply(paging)) return paging;
  const begin = intParam(ctx.query, 'begin_time', 0);
  const end = intParam(ctx.query, 'end_time', Number.MAX_SAFE_INTEGER);
  if (begin === undefined) return invalidParameter('begin_time', 'must be an integer (epoch ms)');
  if (end === undefined) return invalidParameter('end_time', 'must be an integer (epoch ms)');
  const task = ctx.store.get(ctx.project, ctx.instance, ctx.params[0]);
  if (!task) return taskNotFound();
  const executions = ctx.executions
    .list(ctx.project, ctx.instance, task.task_id)
    .filter((e) => e.start_time >= begin && e.start_time <= end)
    .reverse();
  const p = page(executions, paging.start, paging.limit);
  return { status: 200, body: { ...p, entities: p.entities.map((e) => toMonitorLog(e, ctx.now)) } };
}
