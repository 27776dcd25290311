/**
 * The response shapes of a stored task, with the reference's casing quirks: TaskBasicRsp says
 * `realtime`/`timing` and `"stop"`/`"running"`; list entries say `REALTIME`/`TIMING`, an integer
 * status and a string `created_date`.
 */
import type { BriefTask, DataSource, TaskBasicRsp, TaskResponse } from '../lib/fdi/model/api.js';
import type { TaskRecord } from './state.js';

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

/** `{task, task_detail}`: the stored task_detail string is echoed as given. */
export function toTaskResponse(t: TaskRecord, datasources: DataSources): TaskResponse {
  return { task: toTaskBasicRsp(t, datasources), task_detail: t.task_detail };
}

/** A list entry (BriefTaskRespBean). `created_date` is the epoch-ms value as a decimal string. */
export function toBriefTask(t: TaskRecord, datasources: DataSources): BriefTask {
  const brief: BriefTask = {
    task_id: t.task_id,
    task_name: t.task_name,
    task_type: t.task_type,
    status: t.status === 'running' ? 1 : 0,
    created_date: String(t.created_date),
    version: String(t.version),
    last_modified_time: t.last_modified_date,
    execute_status: t.execute_status,
    source_app_id: datasources.get(t.source_datasource_id)?.app_id,
    target_app_id: datasources.get(t.target_datasource_id)?.app_id,
  };
  if (t.task_tag) brief.task_tag = t.task_tag;
  return dropUndefined(brief);
}

function dropUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
