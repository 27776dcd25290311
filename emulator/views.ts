/**
 * The response shapes of a stored task, with the reference's casing quirks: TaskBasicRsp says
 * `realtime`/`timing` and `"stop"`/`"running"`; list entries (BriefTaskRespBean) say
 * `REALTIME`/`TIMING`, an integer status and a date string `created_date`; a schedule has the
 * fields of the SDK's TaskDispatchRsp only.
 */
import type {
  BriefTask,
  DataSource,
  ExecuteStatus,
  TaskBasicRsp,
  TaskDispatchRsp,
  TaskResponse,
} from '../lib/fdi/model/api.js';
import { responseDetail } from './detail-form.js';
import type { DetailForm } from './options.js';
import type { TaskRecord } from './state.js';

/** The enterprise project of every task: "0", the default enterprise project. */
export const ENTERPRISE_PROJECT_ID = '0';

type DataSources = ReadonlyMap<string, DataSource>;

/** `task` of create/show/update: data source names and apps filled in; description/task_tag omitted when absent. */
export function toTaskBasicRsp(t: TaskRecord, datasources: DataSources): TaskBasicRsp {
  const src = datasources.get(t.source_datasource_id);
  const dst = datasources.get(t.target_datasource_id);
  const rsp: TaskBasicRsp = {
    task_id: t.task_id,
    task_name: t.task_name,
    task_type: t.task_type === 'REALTIME' ? 'realtime' : 'timing',
    status: t.status,
    project_id: t.project_id,
    source_datasource_id: t.source_datasource_id,
    target_datasource_id: t.target_datasource_id,
    source_datasource_name: src?.datasource_name,
    target_datasource_name: dst?.datasource_name,
    source_app_id: src?.app_id,
    target_app_id: dst?.app_id,
    source_app_name: src?.app_name,
    target_app_name: dst?.app_name,
    created_date: t.created_date,
    last_modified_date: t.last_modified_date,
  };
  if (t.description) rsp.description = t.description;
  if (t.task_tag) rsp.task_tag = t.task_tag;
  return dropUndefined(rsp);
}

/**
 * `{task, task_detail}`: task_detail in the response form built from the task (RawFormDataResponse),
 * or with form 'request' the stored string as it was sent.
 */
export function toTaskResponse(t: TaskRecord, datasources: DataSources, form: DetailForm): TaskResponse {
  const detail = form === 'request' ? t.task_detail : responseDetail(t, datasources);
  return { task: toTaskBasicRsp(t, datasources), task_detail: detail };
}

/**
 * A list entry (BriefTaskRespBean), fields in the SDK's order. `created_date` is a date string (ISO
 * 8601; the SDK types it `date`), `last_modified_time` epoch ms. The source and target instance are
 * those of the data sources (the task's instance unless a data source names its own). `ext_type` only
 * for a composite task. `execute_status` is the latest execution's when there is one (given by the caller).
 */
export function toBriefTask(
  t: TaskRecord,
  datasources: DataSources,
  executeStatus: ExecuteStatus = t.execute_status,
): BriefTask {
  const src = datasources.get(t.source_datasource_id);
  const dst = datasources.get(t.target_datasource_id);
  const brief: BriefTask = {
    task_id: t.task_id,
    task_name: t.task_name,
    task_type: t.task_type,
    status: t.status === 'running' ? 1 : 0,
    created_date: new Date(t.created_date).toISOString(),
    version: String(t.version),
    last_modified_time: t.last_modified_date,
    execute_status: executeStatus,
    source_app_id: src?.app_id,
    target_app_id: dst?.app_id,
    source_instance_id: src?.instance_id ?? t.instance_id,
    target_instance_id: dst?.instance_id ?? t.instance_id,
    ext_type: t.ext_type || undefined,
    enterprise_project_id: ENTERPRISE_PROJECT_ID,
    task_tag: t.task_tag || undefined,
  };
  return dropUndefined(brief);
}

/** A schedule as TaskDispatchRsp has it (a key stored by an older emulator, such as cron_timezone, is not shown). */
export function toDispatchRsp(d: TaskDispatchRsp): TaskDispatchRsp {
  return dropUndefined({
    dispatch_id: d.dispatch_id,
    task_id: d.task_id,
    start_datetime: d.start_datetime,
    period: d.period,
    dispatch_interval: d.dispatch_interval,
    created_date: d.created_date,
    last_modified_date: d.last_modified_date,
    remark: d.remark,
    use_quartz_cron: d.use_quartz_cron,
    cron: d.cron,
  });
}

function dropUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
