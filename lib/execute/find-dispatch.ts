/** Reads a task's schedule; undefined when it has none (404). */
import type { FdiClient } from '../fdi/client/client.js';
import type { Target } from '../types.js';
import { FdiError } from '../fdi/client/fdi-error.js';
import type { TaskDispatchRsp } from '../fdi/model/api.js';
import { withRetry, type RetryContext } from '../traffic/with-retry.js';

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
