/**
 * The planning stage: read the facts from FDI, decide per task (pure, build-plan.ts), show the
 * existing tasks a decision depends on and reconsider those, then check what blocks the run.
 * Read-only: nothing here writes to FDI.
 */
import type { FdiClient } from '../fdi/client/client.js';
import type { CreateTaskRequest } from '../fdi/model/api.js';
import { toCreateRequest, type CompiledManifest } from '../manifest/index.js';
import type { RetryContext } from '../traffic/with-retry.js';
import type { Target } from '../types.js';
import { finishPlan, planTask, reconsider, settledEarlier } from './build-plan.js';
import { requestFingerprint } from './fingerprint.js';
import { gatherFacts, showTasks } from './reads.js';
import { resolveTarget, type TargetDefaults } from './targets.js';
import { datasourceIds, type Plan, type PlanEntry } from './types.js';

export interface PlanContext {
  client: FdiClient;
  retry: RetryContext;
  defaults: TargetDefaults;
  /** For a later invocation of a run (continuation or takeover): the tasks earlier invocations settled. */
  earlier?: ReadonlySet<number> | undefined;
}

export async function planRun(manifest: CompiledManifest, targets: Target[], ctx: PlanContext): Promise<Plan> {
  const facts = await gatherFacts(ctx.client, targets, ctx.retry);
  const entries: PlanEntry[] = [];
  // A resumed run reads back its conflicts: the ones holding what it would send are its own.
  const sent = new Map<number, CreateTaskRequest>();
  for (const task of manifest.tasks()) {
    const entry = planTask(task, resolveTarget(task.target, ctx.defaults), facts, manifest.options.on_exists, (ids) =>
      requestFingerprint(toCreateRequest(task, ids)),
    );
    if (ctx.earlier?.has(task.index)) {
      entries.push(settledEarlier(entry));
      continue;
    }
    if (ctx.earlier && entry.action === 'conflict') sent.set(task.index, toCreateRequest(task, datasourceIds(entry)));
    entries.push(entry);
  }
  const toShow = entries.filter((e) => e.action === 'update' || sent.has(e.index));
  const shown = await showTasks(
    ctx.client,
    toShow.map((e) => ({ index: e.index, target: e.target, task_id: e.existing!.task_id })),
    ctx.retry,
  );
  const reconsidered = entries.map((e) => {
    const task = shown.get(e.index);
    return task ? reconsider(e, task, sent.get(e.index)) : e;
  });
  return finishPlan(reconsidered, facts);
}
