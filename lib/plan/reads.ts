/**
 * What planning reads from FDI, every call under the run's scheduler and retry policy: one paged task
 * listing and one paged data-source listing per target (rather than a request per name, so lookups
 * do not eat the quota that creates need), and the tasks a decision needs to see in full.
 */
import { allPages, type FdiClient } from '../fdi/client/client.js';
import { FdiError } from '../fdi/client/fdi-error.js';
import type { BriefTask, DataSource, TaskDispatchRsp, TaskResponse } from '../fdi/model/api.js';
import { withRetry, type RetryContext } from '../traffic/with-retry.js';
import { targetKey, type Target } from '../types.js';
import type { PlanFacts } from './build-plan.js';

/** Existing tasks (by name), their total and the data sources of every target. */
export async function gatherFacts(client: FdiClient, targets: Target[], retry: RetryContext): Promise<PlanFacts> {
  const facts: PlanFacts = { existing: new Map(), existingTotal: new Map(), datasources: new Map() };
  await Promise.all(
    targets.map(async (target) => {
      const key = targetKey(target);
      const byName = new Map<string, BriefTask>();
      let total = 0;
      for await (const t of allPages(async (offset, limit) => {
        const page = await withRetry(() => client.listTasks(target, { offset, limit }, retry.signal), retry);
        total = Math.max(total, page.total);
        return page;
      })) {
        byName.set(t.task_name, t);
      }
      facts.existing.set(key, byName);
      facts.existingTotal.set(key, Math.max(total, byName.size));
      const sources: DataSource[] = [];
      for await (const d of allPages((offset, limit) =>
        withRetry(() => client.listDatasources(target, { offset, limit }, retry.signal), retry),
      )) {
        sources.push(d);
      }
      facts.datasources.set(key, sources);
    }),
  );
  return facts;
}

/** Shows each of the given existing tasks once, in parallel under the scheduler: task index → task. */
export async function showTasks(
  client: FdiClient,
  tasks: ReadonlyArray<{ index: number; target: Target; task_id: string }>,
  retry: RetryContext,
): Promise<Map<number, TaskResponse>> {
  const shown = await Promise.all(
    tasks.map(async (t) => {
      const res = await withRetry(() => client.showTask(t.target, t.task_id, retry.signal), retry);
      return [t.index, res] as const;
    }),
  );
  return new Map(shown);
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

/** Reads the schedules of the given existing tasks, in parallel under the scheduler: task index → schedule. */
export async function showDispatches(
  client: FdiClient,
  tasks: ReadonlyArray<{ index: number; target: Target; task_id: string }>,
  retry: RetryContext,
): Promise<Map<number, TaskDispatchRsp | undefined>> {
  const shown = await Promise.all(
    tasks.map(async (t) => [t.index, await findDispatch(client, t.target, t.task_id, retry)] as const),
  );
  return new Map(shown);
}
