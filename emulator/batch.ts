/**
 * POST /batch-operation/tasks: start or stop up to 10 tasks. Unknown IDs are per-task failures
 * inside the 200, as the real service reports them.
 */
import type { BatchOperationResponse, TaskBeanFacade } from '../lib/fdi/model/api.js';
import { ERROR_CODES, MAX_BATCH_IDS } from '../lib/fdi/model/api.js';
import { type ApiContext, type Reply, errorReply, invalidParameter, malformedJson } from './api.js';
import { parseJson } from './http.js';
import type { TaskRecord } from './state.js';

function checkBatch(value: unknown): { action: 'start' | 'stop'; ids: string[] } | Reply {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return invalidParameter('body', 'must be a JSON object');
  const { action_id: action, list } = value as { action_id?: unknown; list?: unknown };
  if (action !== 'start' && action !== 'stop') return invalidParameter('action_id', 'must be start or stop');
  if (!Array.isArray(list) || list.length === 0)
    return invalidParameter('list', 'must be a non-empty array of {task_id}');
  if (list.length > MAX_BATCH_IDS) {
    return errorReply(
      400,
      ERROR_CODES.invalidParameters,
      `Invalid parameters: at most ${MAX_BATCH_IDS} tasks per batch operation (got ${list.length}).`,
    );
  }
  const ids: string[] = [];
  for (const item of list as unknown[]) {
    const id = (item as { task_id?: unknown } | null)?.task_id;
    if (typeof id !== 'string' || id.length === 0)
      return errorReply(400, 'FDI.3022', 'One or more tasks have empty task IDs.');
    ids.push(id);
  }
  return { action, ids };
}

function apply(task: TaskRecord, action: 'start' | 'stop'): Partial<TaskRecord> {
  if (action === 'start')
    return { status: 'running', execute_status: task.task_type === 'REALTIME' ? 'RUNNING' : 'WAITING' };
  return { status: 'stop', execute_status: task.status === 'running' ? 'CANCELLED' : task.execute_status };
}

/**
 * The executions a status change begins or ends: starting a REALTIME task begins its stream (an
 * execution), starting a TIMING task begins one only with `runOnStart` (as if its schedule fired);
 * stopping a task ends its running execution (CANCELLED). Starting a running task begins nothing.
 */
function simulate(ctx: ApiContext, task: TaskRecord, action: 'start' | 'stop', wasRunning: boolean): void {
  const running = ctx.executions.running(task.project_id, task.instance_id, task.task_id, ctx.now);
  if (action === 'stop') {
    if (running) ctx.executions.cancel(running, 'stop', ctx.now);
    return;
  }
  if (wasRunning || running || task.ext_type) return;
  if (task.task_type === 'REALTIME' || ctx.execution.runOnStart) {
    ctx.executions.begin(task, 'start', ctx.execution, ctx.now);
    ctx.stats.executionStarted(task.task_name);
  }
}

/** POST /batch-operation/tasks */
export function batchOperation(ctx: ApiContext): Reply {
  const parsed = parseJson(ctx.body);
  if (!parsed.ok) return malformedJson();
  const checked = checkBatch(parsed.value);
  if ('status' in checked) return checked;
  const success: TaskBeanFacade[] = [];
  const failure: TaskBeanFacade[] = [];
  for (const id of checked.ids) {
    const task = ctx.store.get(ctx.project, ctx.instance, id);
    if (!task) {
      failure.push({ task_id: id, error_code: ERROR_CODES.taskNotFound, error_msg: 'The task does not exist.' });
      continue;
    }
    const wasRunning = task.status === 'running';
    // A status change is not a change of the task's definition: last_modified_date stays.
    ctx.store.update(task, apply(task, checked.action));
    simulate(ctx, task, checked.action, wasRunning);
    success.push({ task_id: task.task_id, task_name: task.task_name });
  }
  const body: BatchOperationResponse = {
    success_count: success.length,
    failure_count: failure.length,
    success,
    failure,
  };
  return { status: 200, body, committed: success.length > 0 };
}
