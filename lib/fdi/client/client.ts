/**
 * The FDI client: one method per operation the product uses (docs/FDI-API.md §2), each one HTTP call
 * through the transport (transport.ts). Retries and ambiguity handling belong to the run.
 */
import type { Target } from '../../types.js';
import {
  MAX_BATCH_IDS,
  MAX_PAGE_LIMIT,
  paths,
  type BatchOperationResponse,
  type BriefTask,
  type CreateTaskRequest,
  type DataSource,
  type ListMonitorLogsQuery,
  type ListTaskMonitorsQuery,
  type ListTasksQuery,
  type Page,
  type RunTaskResponse,
  type TaskDispatch,
  type TaskDispatchRsp,
  type TaskMonitorInfo,
  type TaskMonitorLog,
  type TaskResponse,
  type TerminateTaskResponse,
} from '../model/api.js';
import { createTransport, type FdiClientOptions, type Query } from './transport.js';

export type { AttemptEvent, FdiClientOptions, RequestGate } from './transport.js';

/** Creates the client. Cheap; build one per run (or per cold start) and share it. */
export function createFdiClient(options: FdiClientOptions) {
  const call = createTransport(options);
  return {
    createTask: (t: Target, body: CreateTaskRequest, signal?: AbortSignal) =>
      call<TaskResponse>('POST', paths.tasks(t.project_id, t.instance_id), { body, signal }),
    updateTask: (t: Target, taskId: string, body: CreateTaskRequest, signal?: AbortSignal) =>
      call<TaskResponse>('PUT', paths.task(t.project_id, t.instance_id, taskId), { body, signal }),
    showTask: (t: Target, taskId: string, signal?: AbortSignal) =>
      call<TaskResponse>('GET', paths.task(t.project_id, t.instance_id, taskId), { signal }),
    deleteTask: (t: Target, taskId: string, signal?: AbortSignal) =>
      call<void>('DELETE', paths.task(t.project_id, t.instance_id, taskId), { signal, empty: true }),
    listTasks: (t: Target, query: ListTasksQuery = {}, signal?: AbortSignal) =>
      call<Page<BriefTask>>('GET', paths.tasks(t.project_id, t.instance_id), { query: query as Query, signal }),
    /** One batch start/stop call (at most 10 IDs; `batchOperateAll` chunks more). */
    batchOperate: (t: Target, action: 'start' | 'stop', taskIds: string[], signal?: AbortSignal) => {
      if (taskIds.length > MAX_BATCH_IDS) throw new RangeError(`batch start/stop takes at most ${MAX_BATCH_IDS} IDs`);
      return call<BatchOperationResponse>('POST', paths.batch(t.project_id, t.instance_id), {
        body: { action_id: action, list: taskIds.map((task_id) => ({ task_id })) },
        signal,
      });
    },
    createDispatch: (t: Target, taskId: string, dispatch: TaskDispatch, signal?: AbortSignal) =>
      call<TaskDispatchRsp>('POST', paths.dispatches(t.project_id, t.instance_id, taskId), { body: dispatch, signal }),
    showDispatch: (t: Target, taskId: string, signal?: AbortSignal) =>
      call<TaskDispatchRsp>('GET', paths.dispatches(t.project_id, t.instance_id, taskId), { signal }),
    updateDispatch: (t: Target, taskId: string, dispatchId: string, dispatch: TaskDispatch, signal?: AbortSignal) =>
      call<TaskDispatchRsp>(
        'PUT',
        `${paths.dispatches(t.project_id, t.instance_id, taskId)}/${encodeURIComponent(dispatchId)}`,
        { body: dispatch, signal },
      ),
    listDatasources: (
      t: Target,
      query: { offset?: number | undefined; limit?: number | undefined; name?: string | undefined } = {},
      signal?: AbortSignal,
    ) => call<Page<DataSource>>('GET', paths.datasources(t.project_id, t.instance_id), { query, signal }),
    /**
     * Triggers one execution of a task now (RunTask). Not idempotent: a repeat after an ambiguous
     * failure may start a second execution or be refused while the first runs (docs/FDI-API.md §2).
     */
    runTask: (t: Target, taskId: string, signal?: AbortSignal) =>
      call<RunTaskResponse | undefined>('POST', paths.runTask(t.project_id, t.instance_id, taskId), { signal }),
    /** Ends the task's running execution (the SDK's StopTask); the task's own status is left as it is. */
    terminateTask: (t: Target, taskId: string, signal?: AbortSignal) =>
      call<TerminateTaskResponse | undefined>('POST', paths.terminateTask(t.project_id, t.instance_id, taskId), {
        signal,
      }),
    /** One page of the instance's task monitors (ListMonitorInfos); `offset` starts at 1 (`allPages(…, 1)`). */
    listTaskMonitors: (t: Target, query: ListTaskMonitorsQuery = {}, signal?: AbortSignal) =>
      call<Page<TaskMonitorInfo>>('GET', paths.taskMonitors(t.project_id, t.instance_id), {
        query: query as Query,
        signal,
      }),
    /** One page of a task's executions (ListMonitorLog); `offset` starts at 1 (`allPages(…, 1)`). */
    listMonitorLogs: (t: Target, taskId: string, query: ListMonitorLogsQuery = {}, signal?: AbortSignal) =>
      call<Page<TaskMonitorLog>>('GET', paths.monitorLogs(t.project_id, t.instance_id, taskId), {
        query: query as Query,
        signal,
      }),
  };
}

export type FdiClient = ReturnType<typeof createFdiClient>;

/** Starts or stops any number of tasks in calls of at most 10 IDs, merging the per-task outcomes. */
export async function batchOperateAll(
  client: FdiClient,
  t: Target,
  action: 'start' | 'stop',
  taskIds: string[],
  signal?: AbortSignal,
): Promise<BatchOperationResponse> {
  const merged: BatchOperationResponse = { success_count: 0, failure_count: 0, success: [], failure: [] };
  for (let i = 0; i < taskIds.length; i += MAX_BATCH_IDS) {
    const res = await client.batchOperate(t, action, taskIds.slice(i, i + MAX_BATCH_IDS), signal);
    merged.success_count += res.success_count;
    merged.failure_count += res.failure_count;
    merged.success.push(...(res.success ?? []));
    merged.failure.push(...(res.failure ?? []));
  }
  return merged;
}

/**
 * Reads every page of a paged listing (offset/limit), stopping at `total` or an empty page. `first` is
 * the offset of the first entry: 0 for tasks and data sources, MONITOR_FIRST_OFFSET (1) for the
 * monitor listings.
 */
export async function* allPages<T>(
  fetchPage: (offset: number, limit: number) => Promise<Page<T>>,
  limit = MAX_PAGE_LIMIT,
  first = 0,
): AsyncGenerator<T> {
  let seen = 0;
  for (;;) {
    const page = await fetchPage(first + seen, limit);
    yield* page.entities;
    seen += page.entities.length;
    if (page.entities.length === 0 || seen >= page.total) return;
  }
}
