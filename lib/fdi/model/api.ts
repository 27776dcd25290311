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

export type ExecuteStatus = 'UNSTARTED' | 'WAITING' | 'RUNNING' | 'SUCCESS' | 'CANCELLED' | 'ERROR';

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
