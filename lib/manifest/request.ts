/** Expanded task → the exact create-request body. Pure. */
import type { CreateTaskRequest, TaskBasicRequestBody } from '../fdi/model/api.js';
import type { DatasourceRef, ExpandedTask } from './types.js';

/** The exact create-request body (pure), given resolved data source IDs. Optional fields are left out when absent. */
export function toCreateRequest(task: ExpandedTask, ids: { source: string; target: string }): CreateTaskRequest {
  const body: TaskBasicRequestBody = {
    task_name: task.name,
    task_type: task.task_type,
    source_datasource_id: ids.source,
    target_datasource_id: ids.target,
  };
  if (task.description !== undefined) body.description = task.description;
  if (task.task_tag !== undefined) body.task_tag = task.task_tag;
  return { task: body, task_detail: task.task_detail };
}

/** The ID of a data source given by ID, or an obviously unresolved placeholder `<name:crm-api>` (for `render`). */
export function unresolvedId(ref: DatasourceRef): string {
  return 'id' in ref ? ref.id : `<name:${ref.name}>`;
}
