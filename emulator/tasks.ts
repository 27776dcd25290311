/**
 * The task routes: create, list, show, update, delete. Validation of the create/update body is the
 * project's one validator (lib/fdi/model/validate.ts); this file adds what only a server can check.
 */
import type { CreateTaskRequest, TaskBasicRequestBody } from '../lib/fdi/model/api.js';
import { DUPLICATE_NAME_MARK, ERROR_CODES } from '../lib/fdi/model/api.js';
import { validateCreateRequest } from '../lib/fdi/model/validate.js';
import {
  type ApiContext,
  type Reply,
  errorReply,
  intParam,
  invalidParameter,
  isReply,
  malformedJson,
  page,
  parsePaging,
  taskNotFound,
} from './api.js';
import { executeStatusOf, isBusy } from './execution-routes.js';
import { holdsJsonObject, parseJson } from './http.js';
import { type TaskRecord, newId } from './state.js';
import { toBriefTask, toTaskResponse } from './views.js';

type Checked = { ok: true; body: CreateTaskRequest } | { ok: false; reply: Reply };

/** Parses and checks a create/update body: every documented rule, task_detail JSON, data sources. */
function checkBody(ctx: ApiContext): Checked {
  const refuse = (reply: Reply): Checked => ({ ok: false, reply });
  const parsed = parseJson(ctx.body);
  if (!parsed.ok) return refuse(malformedJson());
  const violations = validateCreateRequest(parsed.value);
  if (violations.length > 0) {
    // FDI.3033 names one field; the other violations follow in the same message.
    const [first, ...rest] = violations;
    const detail = [first.message, ...rest.map((v) => `[${v.field}]: ${v.message}`)].join('; ');
    return refuse(invalidParameter(first.field, detail));
  }
  const body = parsed.value as CreateTaskRequest;
  if (!holdsJsonObject(body.task_detail)) {
    return refuse(
      invalidParameter('task_detail', 'must be a JSON object (RawFormDataRequest) serialised into a string'),
    );
  }
  if (!ctx.datasources.has(body.task.source_datasource_id)) return refuse(invalidParameter('source_datasource_id'));
  if (!ctx.datasources.has(body.task.target_datasource_id)) return refuse(invalidParameter('target_datasource_id'));
  return { ok: true, body };
}

function duplicateName(ctx: ApiContext, name: string): Reply {
  ctx.stats.duplicateName();
  return invalidParameter('task_name', `a task named "${name}" ${DUPLICATE_NAME_MARK} in this instance`);
}

/** The fields a create/update body sets; description and task_tag disappear when not given. */
function fieldsOf(
  task: TaskBasicRequestBody,
  detail: string,
): Omit<
  TaskRecord,
  | 'project_id'
  | 'instance_id'
  | 'task_id'
  | 'status'
  | 'execute_status'
  | 'created_date'
  | 'last_modified_date'
  | 'version'
> {
  return {
    task_name: task.task_name,
    task_type: task.task_type,
    source_datasource_id: task.source_datasource_id,
    target_datasource_id: task.target_datasource_id,
    description: task.description ?? undefined,
    task_tag: task.task_tag ?? undefined,
    task_detail: detail,
  };
}

/** POST /tasks */
export function createTask(ctx: ApiContext): Reply {
  const checked = checkBody(ctx);
  if (!checked.ok) return checked.reply;
  const body = checked.body;
  if (ctx.store.findByName(ctx.project, ctx.instance, body.task.task_name))
    return duplicateName(ctx, body.task.task_name);
  if (ctx.store.count(ctx.project, ctx.instance) >= ctx.maxTasks) {
    return errorReply(
      400,
      ERROR_CODES.invalidParameters,
      `Invalid parameters: the task quota of the instance is reached (${ctx.maxTasks} tasks); delete tasks first.`,
    );
  }
  const record: TaskRecord = {
    project_id: ctx.project,
    instance_id: ctx.instance,
    task_id: newId(),
    ...fieldsOf(body.task, body.task_detail),
    status: 'stop',
    execute_status: 'UNSTARTED',
    created_date: ctx.now,
    last_modified_date: ctx.now,
    version: 1,
  };
  ctx.store.add(record);
  ctx.stats.createCommitted(record.task_name);
  return { status: 200, body: toTaskResponse(record, ctx.datasources, ctx.detailForm), committed: true };
}

/** PUT /tasks/{task_id}: the full body again; renaming onto another task's name is refused. */
export function updateTask(ctx: ApiContext): Reply {
  const checked = checkBody(ctx);
  if (!checked.ok) return checked.reply;
  const body = checked.body;
  const task = ctx.store.get(ctx.project, ctx.instance, ctx.params[0]);
  if (!task) return taskNotFound();
  if (task.ext_type) {
    // A composite task has another body (the SDK's multi-task calls); a common-task body would overwrite it.
    return invalidParameter(
      'ext_type',
      `task "${task.task_name}" (${task.task_id}) is a composite task (${task.ext_type}); a common-task body cannot update it`,
    );
  }
  const other = ctx.store.findByName(ctx.project, ctx.instance, body.task.task_name);
  if (other && other.task_id !== task.task_id) return duplicateName(ctx, body.task.task_name);
  const fields = fieldsOf(body.task, body.task_detail);
  ctx.store.update(task, {
    ...fields,
    last_modified_date: ctx.now,
    version: task.version + 1,
    // A schedule belongs to TIMING tasks only.
    dispatch: fields.task_type === 'TIMING' ? task.dispatch : undefined,
  });
  return { status: 200, body: toTaskResponse(task, ctx.datasources, ctx.detailForm), committed: true };
}

/** GET /tasks/{task_id} */
export function showTask(ctx: ApiContext): Reply {
  const task = ctx.store.get(ctx.project, ctx.instance, ctx.params[0]);
  return task ? { status: 200, body: toTaskResponse(task, ctx.datasources, ctx.detailForm) } : taskNotFound();
}

/**
 * DELETE /tasks/{task_id}: 204; a running task must be stopped first (FDI.3023). A task whose execution
 * is RUNNING counts as running too: stop it (a batch stop ends the execution) or terminate the execution.
 */
export function deleteTask(ctx: ApiContext): Reply {
  const task = ctx.store.get(ctx.project, ctx.instance, ctx.params[0]);
  if (!task) return taskNotFound();
  if (isBusy(ctx, task)) return errorReply(400, ERROR_CODES.tasksRunning, 'One or more tasks are running.');
  ctx.store.remove(task);
  ctx.executions.removeTask(task.project_id, task.instance_id, task.task_id);
  ctx.stats.deleteCommitted(task.task_name);
  return { status: 204, committed: true };
}

type Filter = (t: TaskRecord) => boolean;

/**
 * The list filters of the SDK's ListTasksRequest; a Reply when one is malformed. A query parameter the
 * SDK does not have (`task_name`, `datasource_id`, …) is ignored, as a server ignores unknown ones.
 */
function listFilters(q: URLSearchParams, ctx: ApiContext): Filter[] | Reply {
  const datasources = ctx.datasources;
  const filters: Filter[] = [];
  const name = q.get('name');
  // Fuzzy: a case-sensitive substring match, as the real service does.
  if (name) filters.push((t) => t.task_name.includes(name));
  const type = q.get('task_type');
  if (type) {
    if (type !== 'realtime' && type !== 'timing')
      return invalidParameter('task_type', 'must be realtime or timing (lowercase)');
    filters.push((t) => t.task_type.toLowerCase() === type);
  }
  if (q.get('status')) {
    const status = intParam(q, 'status', 0);
    if (status !== 0 && status !== 1) return invalidParameter('status', 'must be 0 or 1');
    filters.push((t) => (t.status === 'running' ? 1 : 0) === status);
  }
  const exact = ['task_id', 'task_tag', 'source_datasource_id', 'target_datasource_id'] as const;
  for (const key of exact) {
    const v = q.get(key);
    if (v) filters.push((t) => t[key] === v);
  }
  // The latest execution's status, as the entries show it.
  const executeStatus = q.get('execute_status');
  if (executeStatus) filters.push((t) => executeStatusOf(ctx, t) === executeStatus);
  const app = (id: string) => datasources.get(id)?.app_id;
  const sourceApp = q.get('source_app_id');
  if (sourceApp) filters.push((t) => app(t.source_datasource_id) === sourceApp);
  const targetApp = q.get('target_app_id');
  if (targetApp) filters.push((t) => app(t.target_datasource_id) === targetApp);
  return filters;
}

/** GET /tasks: creation order; sort_field/sort_type are ignored. */
export function listTasks(ctx: ApiContext): Reply {
  const paging = parsePaging(ctx.query);
  if (isReply(paging)) return paging;
  const filters = listFilters(ctx.query, ctx);
  if (isReply(filters)) return filters;
  const matching = ctx.store.list(ctx.project, ctx.instance).filter((t) => filters.every((f) => f(t)));
  const brief = page(matching, paging.offset, paging.limit);
  return {
    status: 200,
    body: { ...brief, entities: brief.entities.map((t) => toBriefTask(t, ctx.datasources, executeStatusOf(ctx, t))) },
  };
}
