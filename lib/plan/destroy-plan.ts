/**
 * Planning a destroy (docs/DESTROY.md): which of the tasks a manifest defines are to be deleted. A task
 * is found by name in its instance, as apply finds it. Only a task that is the manifest's is deleted:
 * one this product applied and nobody changed since (its record), or one FDI shows as the manifest
 * defines it. A task of that name with another definition (someone else's, edited since, or applied
 * from another version of the manifest) is `foreign` and left alone unless the run is forced; a task
 * of another kind (a composite task) is never touched. Read-only, like every plan.
 */
import type { TaskResponse } from '../fdi/model/api.js';
import { toCreateRequest, type CompiledManifest, type ExpandedTask } from '../manifest/index.js';
import { targetKey, type Target } from '../types.js';
import { listedModified, type Verdict } from './applied.js';
import { finishPlan, otherKind, planTask, settledEarlier, verdictOn, type PlanFacts } from './build-plan.js';
import { taskChanges } from './diff.js';
import { requestFingerprint } from './fingerprint.js';
import type { PlanContext } from './plan-run.js';
import { existingOf, gatherFacts, showTasks } from './reads.js';
import { resolveTarget } from './targets.js';
import { datasourceIds, type Plan, type PlanEntry } from './types.js';

export interface DestroyContext extends PlanContext {
  /** Delete a task of the manifest's name whatever its definition (not one of another kind). */
  force: boolean;
}

const LEFT_ALONE = 'left alone (--force deletes it)';

export async function planDestroy(manifest: CompiledManifest, targets: Target[], ctx: DestroyContext): Promise<Plan> {
  const facts: PlanFacts = { ...(await gatherFacts(ctx.client, targets, ctx.retry)), applied: ctx.applied };
  const entries: PlanEntry[] = [];
  for (const task of manifest.tasks()) {
    const entry = decide(task, resolveTarget(task.target, ctx.defaults), facts, ctx.force);
    entries.push(ctx.earlier?.has(task.index) ? settledEarlier(entry) : entry);
  }
  // The tasks no record vouches for are shown, and judged against what the manifest renders.
  const shown = await showTasks(ctx.client, existingOf(entries.filter((e) => e.action === 'update')), ctx.retry);
  if (shown.size) {
    const now = (ctx.now ?? (() => new Date()))();
    for (const task of manifest.tasks()) {
      const e = entries[task.index];
      const res = shown.get(task.index);
      if (e && res) entries[task.index] = judgedForDestroy(e, task, res, now);
    }
  }
  return finishPlan(entries, facts);
}

/** One task's decision from the listing (and the record); `update` marks one that must be shown first. */
function decide(task: ExpandedTask, target: Target | string, facts: PlanFacts, force: boolean): PlanEntry {
  const base = { index: task.index, name: task.name, line: task.line, hasSchedule: false, start: false };
  if (typeof target === 'string')
    return { ...base, target: { project_id: '', instance_id: '' }, action: 'invalid', reason: target };
  const found = facts.existing.get(targetKey(target))?.get(task.name);
  if (!found)
    return { ...base, target, action: 'absent', reason: `no task of this name in instance ${target.instance_id}` };
  const existing = { task_id: found.task_id, status: found.status, modified: listedModified(found) };
  const kind = otherKind(found);
  if (kind) return { ...base, target, existing, action: 'foreign', reason: `${kind}: this product never deletes it` };
  if (force) return { ...base, target, existing, action: 'delete', reason: '--force: deleted whatever its definition' };
  // As apply would judge it under on_exists: update: unchanged by its record, or to be shown.
  const planned = planTask(task, target, facts, 'update', (ids) => requestFingerprint(toCreateRequest(task, ids)));
  if (planned.action === 'invalid') return planned;
  if (planned.compared === 'unchanged') {
    return { ...base, target, existing, action: 'delete', reason: 'as this product last applied it (its record)' };
  }
  return { ...planned, hasSchedule: false, start: false, schedule: undefined, startAction: undefined };
}

/** A shown task: the manifest's (deleted) or another definition (foreign), with what differs. */
function judgedForDestroy(e: PlanEntry, task: ExpandedTask, shown: TaskResponse, at: Date): PlanEntry {
  const sent = toCreateRequest(task, datasourceIds(e));
  const verdict = verdictOn(e, shown, sent, at);
  const { record: _r, bodyHash: _b, compared: _c, applied: _a, ...rest } = e;
  const why = reasonOf(verdict);
  if (why.deletes) return { ...rest, action: 'delete', reason: why.text };
  return { ...rest, action: 'foreign', reason: `${why.text}; ${LEFT_ALONE}`, changes: taskChanges(shown, sent) };
}

function reasonOf(v: Verdict): { deletes: boolean; text: string } {
  switch (v.kind) {
    case 'unchanged':
      return { deletes: true, text: 'exists as the manifest defines it' };
    case 'unknown':
      return {
        deletes: true,
        text: "matches the manifest as far as FDI's form of task_detail can be compared (no record of this product's last apply)",
      };
    case 'manifest-changed':
      return { deletes: false, text: 'this product applied another version of the manifest to it' };
    case 'drifted':
      return { deletes: false, text: 'changed in FDI since this product applied it' };
    case 'differs':
      return { deletes: false, text: 'its definition differs from the manifest' };
  }
}
