/**
 * What planning reads from FDI, every call under the run's scheduler and retry policy: one paged task
 * listing and one paged data-source listing per target (rather than a request per name, so lookups
 * do not eat the quota that creates need), and the tasks a decision needs to see in full. Execution
 * reads with these too when an answer left it in doubt: a task by its name, a task's schedule.
 */
import { allPages, type FdiClient } from '../fdi/client/client.js';
import { FdiError } from '../fdi/client/fdi-error.js';
import type { BriefTask, DataSource, Page, TaskDispatchRsp, TaskResponse } from '../fdi/model/api.js';
import { withRetry, type RetryContext } from '../traffic/with-retry.js';
import { targetKey, type Target } from '../types.js';
import type { PlanFacts } from './build-plan.js';
import type { ExistingDispatch, PlanEntry } from './types.js';

/** Every item of a paged listing (offsets from `first`), each page under the run's retry policy. */
export function listAll<T>(
  retry: RetryContext,
  listPage: (page: { offset: number; limit: number }, signal?: AbortSignal) => Promise<Page<T>>,
  first = 0,
): AsyncGenerator<T> {
  return allPages(
    (offset, limit) => withRetry(() => listPage({ offset, limit }, retry.signal), retry),
    undefined,
    first,
  );
}

/** Existing tasks (by name), their total and the data sources of every target. */
export async function gatherFacts(client: FdiClient, targets: Target[], retry: RetryContext): Promise<PlanFacts> {
  const facts: PlanFacts = { existing: new Map(), existingTotal: new Map(), datasources: new Map() };
  await Promise.all(
    targets.map(async (target) => {
      const key = targetKey(target);
      const byName = new Map<string, BriefTask>();
      let total = 0;
      for await (const t of listAll(retry, async (page, signal) => {
        const res = await client.listTasks(target, page, signal);
        total = Math.max(total, res.total);
        return res;
      })) {
        byName.set(t.task_name, t);
      }
      facts.existing.set(key, byName);
      facts.existingTotal.set(key, Math.max(total, byName.size));
      const sources: DataSource[] = [];
      for await (const d of listAll(retry, (page, signal) => client.listDatasources(target, page, signal))) {
        sources.push(d);
      }
      facts.datasources.set(key, sources);
    }),
  );
  return facts;
}

/**
 * Finds a task by exact name through the list's name filter, which is fuzzy (docs/FDI-API.md §2):
 * execution's lookup when an answer left it in doubt (an ambiguous create, or "name already exists").
 */
export async function findTaskByName(
  client: FdiClient,
  target: Target,
  name: string,
  retry: RetryContext,
): Promise<BriefTask | undefined> {
  for await (const t of listAll(retry, (page, signal) => client.listTasks(target, { name, ...page }, signal))) {
    if (t.task_name === name) return t;
  }
  return undefined;
}

/** The existing tasks of some plan entries, as showTasks and showDispatches take them. */
export function existingOf(entries: readonly PlanEntry[]): Array<{ index: number; target: Target; task_id: string }> {
  return entries.map((e) => ({ index: e.index, target: e.target, task_id: e.existing!.task_id }));
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

/**
 * Reads a task's schedule; undefined when it has none. Huawei's SDK makes every field of the answer
 * optional, so "none" is any of: a 404, a 200 with `{}`, a 200 without a `dispatch_id` (docs/FDI-API.md
 * §6). A schedule is only ever updated by the ID it was shown with.
 */
export async function findDispatch(
  client: FdiClient,
  target: Target,
  taskId: string,
  retry: RetryContext,
): Promise<ExistingDispatch | undefined> {
  try {
    const shown = await withRetry(() => client.showDispatch(target, taskId, retry.signal), retry);
    return hasDispatchId(shown) ? shown : undefined;
  } catch (err) {
    if (err instanceof FdiError && err.status === 404) return undefined;
    throw err;
  }
}

function hasDispatchId(shown: TaskDispatchRsp | undefined): shown is ExistingDispatch {
  return (
    typeof shown === 'object' && shown !== null && typeof shown.dispatch_id === 'string' && shown.dispatch_id !== ''
  );
}

/** Reads the schedules of the given existing tasks, in parallel under the scheduler: task index → schedule. */
export async function showDispatches(
  client: FdiClient,
  tasks: ReadonlyArray<{ index: number; target: Target; task_id: string }>,
  retry: RetryContext,
): Promise<Map<number, ExistingDispatch | undefined>> {
  const shown = await Promise.all(
    tasks.map(async (t) => [t.index, await findDispatch(client, t.target, t.task_id, retry)] as const),
  );
  return new Map(shown);
}
