/**
 * The read-only planning stage of a run: facts from FDI, then the pure per-task decisions, then reads
 * of existing tasks where a decision needs them (read-back.ts).
 */
import type { FdiClient } from '../fdi/client/client.js';
import { toCreateRequest, type CompiledManifest } from '../manifest/index.js';
import { finishPlan, planTask, resolveTarget } from './build-plan.js';
import type { CreateTaskRequest } from '../fdi/model/api.js';
import { requestFingerprint } from './fingerprint.js';
import type { Plan, PlanEntry } from './types.js';
import { targetKey, type Target } from '../types.js';
import { gatherFacts } from './reads.js';
import { refineUpdates, settleOwnTasks } from './read-back.js';
import type { RetryContext } from '../traffic/with-retry.js';

export interface TargetDefaults {
  projectId?: string;
  instanceId?: string;
}

/** The distinct targets of a manifest's tasks, and the tasks that have none (a located message each). */
export function collectTargets(
  manifest: CompiledManifest,
  defaults: TargetDefaults,
): { targets: Target[]; missing: Array<{ message: string; line: number; column: number; task: string }> } {
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
    if (typeof t === 'string')
      missing.push({ message: `task "${task.name}": ${t}`, line: task.line, column: task.column, task: task.name });
    else targets.set(targetKey(t), t);
  }
  return { targets: [...targets.values()], missing };
}

/**
 * `resumedDone`: for a later invocation of a run (continuation or takeover), the tasks earlier
 * invocations settled.
 */
export async function planRun(
  client: FdiClient,
  manifest: CompiledManifest,
  targets: Target[],
  defaults: TargetDefaults,
  retry: RetryContext,
  instanceQuota?: number,
  resumedDone?: ReadonlyMap<number, unknown>,
): Promise<Plan> {
  const facts = await gatherFacts(client, targets, retry);
  const entries: PlanEntry[] = [];
  const conflicts: Array<{ entry: PlanEntry; body: CreateTaskRequest }> = [];
  for (const task of manifest.tasks()) {
    const entry = planTask(task, resolveTarget(task.target, defaults), facts, manifest.options.on_exists, (ids) =>
      requestFingerprint(toCreateRequest(task, ids)),
    );
    if (resumedDone?.has(task.index)) {
      // Settled by an earlier invocation: neither a conflict nor a create to count against the quota.
      entries.push({ ...entry, action: 'skip', reason: 'settled by an earlier invocation of this run' });
      continue;
    }
    if (resumedDone && entry.action === 'conflict')
      conflicts.push({
        entry,
        body: toCreateRequest(task, { source: entry.source_datasource_id!, target: entry.target_datasource_id! }),
      });
    entries.push(entry);
  }
  // A resumed run finds what its earlier invocations created after their last checkpoint: its own
  // tasks, not conflicts, when they hold this manifest's definition.
  if (conflicts.length) await settleOwnTasks(client, conflicts, retry);
  if (manifest.options.on_exists === 'update') await refineUpdates(client, entries, retry);
  return finishPlan(entries, facts, instanceQuota);
}
