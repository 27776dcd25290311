/** Reads a task's schedule; undefined when it has none (404). */
import type { FdiClient, Target } from '../fdi/client.js';
import { FdiError } from '../fdi/fdi-error.js';
import type { TaskDispatchRsp } from '../fdi/model.js';
import { withRetry, type RetryContext } from './with-retry.js';

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
