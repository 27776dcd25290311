/**
 * The read-only planning stage of a run: facts from FDI, then the pure per-task decisions, then (for
 * `on_exists: update`) one read of each existing task to keep only real updates.
 */
import type { FdiClient } from '../fdi/client.js';
import { toCreateRequest, type CompiledManifest } from '../manifest/index.js';
import { finishPlan, planTask, resolveTarget } from '../plan/build-plan.js';
import type { CreateTaskRequest } from '../fdi/model.js';
import { requestFingerprint, sameDefinition } from '../plan/fingerprint.js';
import type { Plan, PlanEntry } from '../plan/types.js';
import { targetKey } from '../plan/types.js';
import type { Target } from '../fdi/client.js';
import { gatherFacts } from './gather-facts.js';
import { refineUpdates } from './refine-updates.js';
import { type RetryContext, withRetry } from './with-retry.js';

export interface TargetDefaults {
  projectId?: string;
  instanceId?: string;
}

/** The distinct targets of a manifest's tasks, and the tasks that have none (a located message each). */
export function collectTargets(manifest: CompiledManifest, defaults: TargetDefaults): { targets: Target[]; missing: Array<{ message: string; line: number; column: number; task: string }> } {
  const targets = new Map<string, Target>();
  // compileManifest counted the targets already; only when one cannot be resolved are the tasks walked, to name them.
  const resolved = manifest.targets.map((t) => resolveTarget(t.target, defaults));
  if (resolved.every((t): t is Target => typeof t !== 'string')) {
    for (const t of resolved) targets.set(targetKey(t), t);
    return { targets: [...targets.values()], missing: [] };
  }
  const missing = [];
  for (const task of manifest.tasks()) {
    const t = resolveTarget(task.target, defaults);
    if (typeof t === 'string') missing.push({ message: `task "${task.name}": ${t}`, line: task.line, column: task.column, task: task.name });
    else targets.set(targetKey(t), t);
  }
  return { targets: [...targets.values()], missing };
}

/** A later invocation of a run (continuation or takeover): what earlier invocations settled. */
export interface Resumed {
  done: ReadonlySet<number>;
}

export async function planRun(client: FdiClient, manifest: CompiledManifest, targets: Target[], defaults: TargetDefaults, retry: RetryContext, instanceQuota?: number, resumed?: Resumed): Promise<Plan> {
  const facts = await gatherFacts(client, targets, retry);
  const entries: PlanEntry[] = [];
  const doubtful: Array<{ entry: PlanEntry; body: CreateTaskRequest }> = [];
  for (const task of manifest.tasks()) {
    const entry = planTask(task, resolveTarget(task.target, defaults), facts, manifest.options.on_exists, (ids) => requestFingerprint(toCreateRequest(task, ids)));
    if (resumed?.done.has(task.index)) {
      // Settled by an earlier invocation: neither a conflict nor a create to count against the quota.
      entries.push({ ...entry, action: 'skip', reason: 'settled by an earlier invocation of this run' });
      continue;
    }
    if (resumed && entry.action === 'conflict') doubtful.push({ entry, body: toCreateRequest(task, { source: entry.source_datasource_id!, target: entry.target_datasource_id! }) });
    entries.push(entry);
  }
  // A resumed run finds what its earlier invocations created after their last checkpoint: its own
  // tasks, not conflicts, when they hold this manifest's definition.
  if (doubtful.length) await settleOwnTasks(client, doubtful, retry);
  if (manifest.options.on_exists === 'update') await refineUpdates(client, entries, retry);
  return finishPlan(entries, facts, instanceQuota);
}

async function settleOwnTasks(client: FdiClient, doubtful: Array<{ entry: PlanEntry; body: CreateTaskRequest }>, retry: RetryContext): Promise<void> {
  await Promise.all(
    doubtful.map(async ({ entry, body }) => {
      const shown = await withRetry(() => client.showTask(entry.target, entry.existing!.task_id, retry.signal), retry);
      let same = false;
      try {
        same = sameDefinition(shown, body);
      } catch {
        // an answer of an unexpected shape: it stays a conflict
      }
      if (same) {
        entry.action = 'skip';
        entry.reason = 'exists as this manifest defines it: created by an earlier invocation of this run';
      }
    }),
  );
}
