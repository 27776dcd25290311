/**
 * Planning steps that read existing tasks back and compare them with the manifest, each task once,
 * under the shared scheduler like every request.
 */
import type { FdiClient } from '../fdi/client/client.js';
import type { CreateTaskRequest, TaskResponse } from '../fdi/model/api.js';
import { existingFingerprint, sameDefinition } from './fingerprint.js';
import type { PlanEntry } from './types.js';
import { withRetry, type RetryContext } from '../traffic/with-retry.js';

/** For `on_exists: update`: keeps `update` only where the manifest differs; an identical task becomes `skip`. */
export async function refineUpdates(client: FdiClient, entries: PlanEntry[], retry: RetryContext): Promise<void> {
  const updates = entries.filter((e) => e.action === 'update' && e.existing);
  await readBack(client, updates, retry, (e, shown) => {
    if (existingFingerprint(shown) === e.bodyHash) {
      e.action = 'skip';
      e.reason = 'exists and is identical to the manifest';
    } else {
      e.reason = 'exists and differs from the manifest';
    }
  });
}

/**
 * For a resumed run under `on_exists: fail`: a conflict whose task holds this manifest's definition
 * was created by an earlier invocation of the run, after its last checkpoint; it becomes `skip`.
 */
export async function settleOwnTasks(
  client: FdiClient,
  conflicts: Array<{ entry: PlanEntry; body: CreateTaskRequest }>,
  retry: RetryContext,
): Promise<void> {
  const bodies = new Map(conflicts.map((c) => [c.entry, c.body]));
  await readBack(client, [...bodies.keys()], retry, (e, shown) => {
    // An answer that cannot be compared stays a conflict.
    if (sameDefinition(shown, bodies.get(e)!) !== true) return;
    e.action = 'skip';
    e.reason = 'exists as this manifest defines it: created by an earlier invocation of this run';
  });
}

async function readBack(
  client: FdiClient,
  entries: PlanEntry[],
  retry: RetryContext,
  decide: (entry: PlanEntry, shown: TaskResponse) => void,
): Promise<void> {
  await Promise.all(
    entries.map(async (e) =>
      decide(e, await withRetry(() => client.showTask(e.target, e.existing!.task_id, retry.signal), retry)),
    ),
  );
}
