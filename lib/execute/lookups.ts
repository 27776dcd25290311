/**
 * The lookup execution makes when an answer left it in doubt: a task by its exact name (after an
 * ambiguous create, or "name already exists"), retried under the run's policy. (A task's schedule is
 * read with planning's `findDispatch`.)
 */
import { allPages, type FdiClient } from '../fdi/client/client.js';
import type { BriefTask } from '../fdi/model/api.js';
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
