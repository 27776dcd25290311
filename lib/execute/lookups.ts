/**
 * The lookups execution makes when an answer left it in doubt: a task by its exact name (after an
 * ambiguous create, or "name already exists") and a task's schedule (before a dispatch is created or
 * repeated). Both are reads, retried under the run's policy.
 */
import { allPages, type FdiClient } from '../fdi/client/client.js';
import { FdiError } from '../fdi/client/fdi-error.js';
import type { BriefTask, TaskDispatchRsp } from '../fdi/model/api.js';
import { withRetry, type RetryContext } from '../traffic/with-retry.js';
import type { Target } from '../types.js';

/** Finds a task by exact name through the list's name filter, which is fuzzy (docs/FDI-API.md §2). */
export async function findTaskByName(
  client: FdiClient,
  target: Target,
  name: string,
  retry: RetryContext,
): Promise<BriefTask | undefined> {
  for await (const t of allPages((offset, limit) =>
    withRetry(() => client.listTasks(target, { name, offset, limit }, retry.signal), retry),
  )) {
    if (t.task_name === name) return t;
  }
  return undefined;
}

/** Reads a task's schedule; undefined when it has none (404). */
export async function findDispatch(
  client: FdiClient,
  target: Target,
  taskId: string,
  retry: RetryContext,
): Promise<TaskDispatchRsp | undefined> {
  try {
    return await withRetry(() => client.showDispatch(target, taskId, retry.signal), retry);
  } catch (err) {
    if (err instanceof FdiError && err.status === 404) return undefined;
    throw err;
  }
}
