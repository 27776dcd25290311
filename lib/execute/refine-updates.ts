/**
 * For `on_exists: update`: reads each existing task once and keeps `update` only where the manifest
 * differs; an identical task becomes `skip`. Runs under the shared scheduler like every request.
 */
import type { FdiClient } from '../fdi/client.js';
import { existingFingerprint } from '../plan/fingerprint.js';
import type { PlanEntry } from '../plan/types.js';
import { withRetry, type RetryContext } from './with-retry.js';

export async function refineUpdates(client: FdiClient, entries: PlanEntry[], retry: RetryContext): Promise<void> {
  await Promise.all(
    entries
      .filter((e) => e.action === 'update' && e.existing)
      .map(async (e) => {
        const shown = await withRetry(() => client.showTask(e.target, e.existing!.task_id, retry.signal), retry);
        if (existingFingerprint(shown) === e.bodyHash) {
          e.action = 'skip';
          e.reason = 'exists and is identical to the manifest';
        } else {
          e.reason = 'exists and differs from the manifest';
        }
      }),
  );
}
