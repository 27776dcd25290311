/**
 * The FDI task API model (ROMA Connect v2), shared by the client and the emulator.
 * Source: docs/FDI-API.md (§2 operations, §3 the create call, §4 casing). Note the casing quirks:
 * requests say `REALTIME`/`TIMING`, task responses say `realtime`/`timing` with a string status,
 * list entries say `REALTIME`/`TIMING` with an integer status.
 */

/** Task type as sent in a create/update request. */
export const TASK_TYPES = ['REALTIME', 'TIMING'] as const;
export type TaskType = (typeof TASK_TYPES)[number];

/** `task` of the create/update request body (TaskBasicRequestBody). */
export interface TaskBasicRequestBody {
  task_name: string;
  task_type: TaskType;
  source_datasource_id: string;
  target_datasource_id: string;
  description?: string | undefined;
  task_tag?: string | undefined;
}

/** Body of `POST …/tasks` and `PUT …/tasks/{task_id}` (CreateCommonTaskRequestBody). */
export interface CreateTaskRequest {
  task: TaskBasicRequestBody;
  /** A JSON document (RawFormDataRequest) serialised into a string. */
  task_detail: string;
}

/** `task` of a create/show/update response (TaskBasicRsp): lowercase type, string status. */
export interface TaskBasicRsp {
  task_id: string;
  task_name: string;
  task_type: 'realtime' | 'timing';
  status: 'stop' | 'running';
  project_id: string;
  source_datasource_id: string;
  target_datasource_id: string;
  source_datasource_name?: string | undefined;
  target_datasource_name?: string | undefined;
  source_app_id?: string | undefined;
  target_app_id?: string | undefined;
  source_app_name?: string | undefined;
  target_app_name?: string | undefined;
  created_date: number;
  last_modified_date: number;
  description?: string | undefined;
  task_tag?: string | undefined;
}

/** Response of create/show/update (TaskResponseV2). */
export interface TaskResponse {
  task: TaskBasicRsp;
  task_detail: string;
}

/**
 * An entry of the task list (BriefTaskRespBean): uppercase type, integer status, a date string for
 * `created_date` (the SDK's type `date`). Every field is optional in Huawei's SDK; the four the product
 * relies on (task_id, task_name, task_type, status) are typed as always there (docs/FDI-API.md §2, §4).
 */
export interface BriefTask {
  task_id: string;
  task_name: string;
  /** `REALTIME` or `TIMING` for a common task; a composite task may say otherwise. */
  task_type: string;
  status: 0 | 1;
  created_date?: string | undefined;
  version?: string | undefined;
  last_modified_time?: number | undefined;
  execute_status?: ExecuteStatus | undefined;
  source_app_id?: string | undefined;
  target_app_id?: string | undefined;
  source_instance_id?: string | undefined;
  target_instance_id?: string | undefined;
  /** The kind of a composite task (CDC and the like); empty or absent for a common task. */
  ext_type?: string | undefined;
  enterprise_project_id?: string | undefined;
  task_tag?: string | undefined;
}

export const EXECUTE_STATUSES = ['UNSTARTED', 'WAITING', 'RUNNING', 'SUCCESS', 'CANCELLED', 'ERROR'] as const;
export type ExecuteStatus = (typeof EXECUTE_STATUSES)[number];

/** A paged list response (`total` over all pages, `size` on this page). */
export interface Page<T> {
  total: number;
  size: number;
  entities: T[];
}

/** Query of `GET …/tasks` (ListTasksRequest of Huawei's SDK). `name` is a fuzzy filter. */
export interface ListTasksQuery {
  offset?: number | undefined;
  limit?: number | undefined;
  name?: string | undefined;
  task_id?: string | undefined;
  status?: 0 | 1 | undefined;
  task_type?: 'realtime' | 'timing' | undefined;
  source_datasource_id?: string | undefined;
  target_datasource_id?: string | undefined;
  sort_field?: 'CREATED_DATE' | 'STATUS' | undefined;
  sort_type?: 'ASC' | 'DESC' | undefined;
  execute_status?: ExecuteStatus | undefined;
  source_app_id?: string | undefined;
  target_app_id?: string | undefined;
  task_tag?: string | undefined;
}

/** Largest page the list endpoints return (SDK: "max 999"). */
export const MAX_PAGE_LIMIT = 999;

/** A data source (DataSourceRsp), trimmed to what a provisioner uses. */
export interface DataSource {
  datasource_id: string;
  datasource_name: string;
  datasource_type: string;
  app_id: string;
  app_name?: string | undefined;
  instance_id?: string | undefined;
  description?: string | undefined;
  create_time?: number | undefined;
  update_time?: number | undefined;
}

/** A TIMING task's schedule (TaskDispatch). Either `period`+`dispatch_interval` or `use_quartz_cron`+`cron`. */
export interface TaskDispatch {
  start_datetime?: number | undefined;
  period?: DispatchPeriod | '' | undefined;
  dispatch_interval?: number | undefined;
  remark?: string | undefined;
  use_quartz_cron?: boolean | undefined;
  cron?: string | undefined;
}

export const DISPATCH_PERIODS = ['MIN', 'HOUR', 'DAY', 'WEEK', 'MON'] as const;
export type DispatchPeriod = (typeof DISPATCH_PERIODS)[number];

/**
 * Response of the dispatch endpoints (TaskDispatchRsp). Every field is optional in Huawei's SDK: a
 * task without a schedule may be answered by a 404, or by a 200 with `{}` or without `dispatch_id`
 * (docs/FDI-API.md §6).
 */
export interface TaskDispatchRsp extends TaskDispatch {
  dispatch_id?: string | undefined;
  task_id?: string | undefined;
  created_date?: number | undefined;
  last_modified_date?: number | undefined;
}

/** Body of `POST …/batch-operation/tasks` (OperateTasksBean). At most 10 IDs per call. */
export interface BatchOperationRequest {
  action_id: 'start' | 'stop';
  list: Array<{ task_id: string }>;
}

export const MAX_BATCH_IDS = 10;

export interface TaskBeanFacade {
  task_id: string;
  task_name?: string | undefined;
  error_code?: string | undefined;
  error_msg?: string | undefined;
}

/** Per-task failures come back inside a 200. */
export interface BatchOperationResponse {
  success_count: number;
  failure_count: number;
  success: TaskBeanFacade[];
  failure: TaskBeanFacade[];
}

/**
 * Answer of `POST …/tasks/{task_id}/run` (RunTask, "trigger one scheduling of the task by hand"). The
 * SDK's RunTaskResponse has no field: a 200 with an empty object (or no body) (docs/FDI-API.md §2).
 */
export type RunTaskResponse = Record<string, never>;

/** Answer of `POST …/tasks/{task_id}/terminate` (the SDK's StopTask): a short success message. */
export interface TerminateTaskResponse {
  message?: string | undefined;
}

/** Which stage an execution is in or ended in (`position` of the monitor APIs). */
export type ExecutionPosition = 'ADAPTER' | 'READER' | 'WRITER';

/** The state of that stage (`position_status`). */
export type ExecutionPositionStatus =
  'NORMAL' | 'NODE_END' | 'RUNTIME_CANCEL' | 'TASK_END' | 'RUNTIME_ERR' | 'INTERNAL_ERR';

/**
 * Query of `GET …/task-monitors` (ListMonitorInfosRequest). `offset` starts at 1 (docs: 0 is read as
 * 1), unlike the task list's 0-based one; `limit` at most 999. `task_name` is fuzzy and case-sensitive;
 * `execute_status` is exact.
 */
export interface ListTaskMonitorsQuery {
  offset?: number | undefined;
  limit?: number | undefined;
  task_name?: string | undefined;
  execute_status?: ExecuteStatus | undefined;
}

/**
 * One task's monitor entry (TaskMonitorInfo): the task and its latest execution's status. It holds no
 * data counts and no remarks; those are in the task's monitor logs. Every field is optional in the SDK;
 * `task_id` and `task_name` are typed as present because a client cannot use an entry without them.
 */
export interface TaskMonitorInfo {
  task_id: string;
  task_name: string;
  /** `TIMING` or `REALTIME`, uppercase. */
  task_type?: string | undefined;
  /** 0 stopped, 1 running (the task, not its execution). */
  status?: 0 | 1 | undefined;
  /** Start of the latest execution, epoch ms. */
  last_execute_time?: number | undefined;
  /** The schedule of a TIMING task. */
  use_quartz_cron?: boolean | undefined;
  cron?: string | undefined;
  period?: string | undefined;
  dispatch_interval?: number | undefined;
  position?: ExecutionPosition | undefined;
  /** The latest execution's status. */
  execute_status?: ExecuteStatus | undefined;
  source_app_id?: string | undefined;
  source_app_name?: string | undefined;
  source_instance_id?: string | undefined;
  target_app_id?: string | undefined;
  target_app_name?: string | undefined;
  target_instance_id?: string | undefined;
  ext_type?: string | undefined;
  enterprise_project_id?: string | undefined;
  task_tag?: string | undefined;
}

/**
 * Query of `GET …/tasks/{task_id}/monitor-logs` (ListMonitorLogRequest): paging as for the monitors
 * (1-based `offset`), and the executions' time window in epoch ms.
 */
export interface ListMonitorLogsQuery {
  offset?: number | undefined;
  limit?: number | undefined;
  begin_time?: number | undefined;
  end_time?: number | undefined;
}

/** One step of an execution (TaskMonitorDetailLog). */
export interface TaskMonitorDetailLog {
  id?: string | undefined;
  status?: number | undefined;
  position?: ExecutionPosition | undefined;
  position_status?: ExecutionPositionStatus | undefined;
  /** The FDI plug-in of the step, e.g. `adapter`, `apireader`, `rdbwriter`. */
  stage?: string | undefined;
  dirty_data_count?: number | undefined;
  data_count?: number | undefined;
  data_size?: number | undefined;
  data_size_unit?: string | undefined;
  spend_time?: number | undefined;
  remarks?: string | undefined;
  step_begin_time?: number | undefined;
  step_end_time?: number | undefined;
}

/**
 * One execution of a task (TaskMonitorLog). Every field is optional in the SDK; `id` (the execution's
 * trace ID) and `execute_status` are typed as present. Times are epoch ms; `status` is FDI's detailed
 * status code (e.g. 16 cancelled, 102 reading, 503 target error, 901 run ended, 914 refused because the
 * previous run has not ended).
 */
export interface TaskMonitorLog {
  id: string;
  start_time?: number | undefined;
  /** The planned start. */
  dispatch_time?: number | undefined;
  /** When writing ended. */
  end_time?: number | undefined;
  execute_status: ExecuteStatus;
  position?: ExecutionPosition | undefined;
  position_status?: ExecutionPositionStatus | undefined;
  status?: number | undefined;
  /** Rows rejected (dirty data). */
  dirty_data_count?: number | undefined;
  /** Rows written successfully. */
  data_count?: number | undefined;
  data_size?: number | undefined;
  data_size_unit?: string | undefined;
  spend_time?: number | undefined;
  read_spend_time?: number | undefined;
  write_spend_time?: number | undefined;
  /** A short account of the execution's result (the failure's reason). */
  remarks?: string | undefined;
  detail_logs?: TaskMonitorDetailLog[] | undefined;
}

/** The first `offset` of the monitor listings (1-based; the task and data-source listings start at 0). */
export const MONITOR_FIRST_OFFSET = 1;

/** Error body of FDI and API-gateway errors. */
export interface FdiErrorBody {
  error_code: string;
  error_msg: string;
  request_id?: string | undefined;
}

/** Error codes used by the client and the emulator. Assumed codes are marked in docs/FDI-API.md §7 and §10. */
export const ERROR_CODES = {
  invalidParameters: 'FDI.3002',
  invalidParameter: 'FDI.3033',
  taskNotFound: 'FDI.3081',
  tasksNotExist: 'FDI.3021',
  tasksRunning: 'FDI.3023',
  networkError: 'FDI.9999',
  /** Assumed: no documented code for an unknown instance or project. */
  instanceNotFound: 'ROMA.00014000',
  apiNotFound: 'APIGW.0101',
  badRequest: 'APIGW.0201',
  authFailed: 'APIGW.0301',
  tokenExpired: 'APIGW.0307',
  throttled: 'APIGW.0308',
  systemError: 'ROMA.00011000',
} as const;

/** The instance quota of tasks (not modifiable in the real service). */
export const INSTANCE_TASK_QUOTA = 1000;

/** Path builders, relative to the endpoint. */
export const paths = {
  tasks: (project: string, instance: string) => `/v2/${enc(project)}/fdi/instances/${enc(instance)}/tasks`,
  task: (project: string, instance: string, taskId: string) =>
    `/v2/${enc(project)}/fdi/instances/${enc(instance)}/tasks/${enc(taskId)}`,
  dispatches: (project: string, instance: string, taskId: string) =>
    `/v2/${enc(project)}/fdi/instances/${enc(instance)}/tasks/${enc(taskId)}/dispatches`,
  batch: (project: string, instance: string) =>
    `/v2/${enc(project)}/fdi/instances/${enc(instance)}/batch-operation/tasks`,
  datasources: (project: string, instance: string) => `/v2/${enc(project)}/fdi/instances/${enc(instance)}/datasources`,
  datasource: (project: string, instance: string, id: string) =>
    `/v2/${enc(project)}/fdi/instances/${enc(instance)}/datasources/${enc(id)}`,
  runTask: (project: string, instance: string, taskId: string) =>
    `/v2/${enc(project)}/fdi/instances/${enc(instance)}/tasks/${enc(taskId)}/run`,
  terminateTask: (project: string, instance: string, taskId: string) =>
    `/v2/${enc(project)}/fdi/instances/${enc(instance)}/tasks/${enc(taskId)}/terminate`,
  taskMonitors: (project: string, instance: string) =>
    `/v2/${enc(project)}/fdi/instances/${enc(instance)}/task-monitors`,
  monitorLogs: (project: string, instance: string, taskId: string) =>
    `/v2/${enc(project)}/fdi/instances/${enc(instance)}/tasks/${enc(taskId)}/monitor-logs`,
  iamTokens: () => '/v3/auth/tokens',
} as const;

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

/**
 * The emulator's 400 for a task name that is already taken in the instance says this (the real
 * error code is undocumented, docs/FDI-API.md §7); a client can recognise a duplicate-name rejection by it.
 */
export const DUPLICATE_NAME_MARK = 'already exists';
