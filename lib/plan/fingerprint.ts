/** A fingerprint of a create/update body, to compare a planned task with an existing one. Pure. */
import { createHash } from 'node:crypto';
import type { CreateTaskRequest, TaskResponse } from '../fdi/model.js';

/** SHA-256 over the fields that define a task (independent of key order in `task`). */
export function requestFingerprint(req: CreateTaskRequest): string {
  const t = req.task;
  const canonical = JSON.stringify([t.task_name, t.task_type, t.source_datasource_id, t.target_datasource_id, t.description ?? null, t.task_tag ?? null, req.task_detail]);
  return createHash('sha256').update(canonical).digest('hex');
}

/** The fingerprint of a task as FDI shows it (its response uses lowercase task types). */
export function existingFingerprint(res: TaskResponse): string {
  const t = res.task;
  return requestFingerprint({
    task: {
      task_name: t.task_name,
      task_type: t.task_type.toUpperCase() as 'REALTIME' | 'TIMING',
      source_datasource_id: t.source_datasource_id,
      target_datasource_id: t.target_datasource_id,
      ...(t.description ? { description: t.description } : {}),
      ...(t.task_tag ? { task_tag: t.task_tag } : {}),
    },
    task_detail: res.task_detail,
  });
}
