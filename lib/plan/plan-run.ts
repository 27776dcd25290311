/**
 * The planning stage: read the facts from FDI, decide per task (pure, build-plan.ts), show the
 * existing tasks a decision depends on and reconsider those, then check what blocks the run.
 * Read-only: nothing here writes to FDI.
 */
import type { FdiClient } from '../fdi/client/client.js';
import type { CreateTaskRequest, TaskResponse } from '../fdi/model/api.js';
import { toCreateRequest, type CompiledManifest } from '../manifest/index.js';
import type { RetryContext } from '../traffic/with-retry.js';
import type { Target } from '../types.js';
import type { AppliedTasks } from './applied.js';
import {
  finishPlan,
  judged,
  planTask,
  reconsider,
  settledEarlier,
  withSchedule,
  withTaskChanges,
} from './build-plan.js';
import { requestFingerprint } from './fingerprint.js';
import { existingOf, gatherFacts, showDispatches, showTasks } from './reads.js';
import { resolveTarget, type TargetDefaults } from './targets.js';
import { datasourceIds, type ExistingDispatch, type Plan, type PlanEntry } from './types.js';

export interface PlanContext {
  client: FdiClient;
  retry: RetryContext;
  defaults: TargetDefaults;
  /** For a later invocation of a run (continuation or takeover): the tasks earlier invocations settled. */
  earlier?: ReadonlySet<number> | undefined;
  /** The records of this product's last applies, per target (lib/plan/applied.ts). */
  applied?: ReadonlyMap<string, AppliedTasks> | undefined;
  /** When records made now say they were made. */
  now?: (() => Date) | undefined;
}

export async function planRun(manifest: CompiledManifest, targets: Target[], ctx: PlanContext): Promise<Plan> {
  const facts = { ...(await gatherFacts(ctx.client, targets, ctx.retry)), applied: ctx.applied };
  const entries: PlanEntry[] = [];
  // A resumed run reads back its conflicts: the ones holding what it would send are its own.
  const sent = new Map<number, CreateTaskRequest>();
  for (const task of manifest.tasks()) {
    const planned = planTask(task, resolveTarget(task.target, ctx.defaults), facts, manifest.options.on_exists, (ids) =>
      requestFingerprint(toCreateRequest(task, ids)),
    );
    if (ctx.earlier?.has(task.index)) {
      entries.push(settledEarlier(planned));
      continue;
    }
    const entry = ctx.earlier ? resumedSkip(planned) : planned;
    if (ctx.earlier && entry.action === 'conflict') sent.set(task.index, toCreateRequest(task, datasourceIds(entry)));
    entries.push(entry);
  }
  // Under update, an existing task is read unless its record shows it unchanged; its schedule is
  // brought to the manifest too, so the ones the manifest gives are read.
  const compared = entries.filter((e) => e.action === 'update' || e.compared === 'unchanged');
  const [shown, schedules] = await Promise.all([
    showTasks(ctx.client, existingOf(entries.filter((e) => e.action === 'update' || sent.has(e.index))), ctx.retry),
    showDispatches(ctx.client, existingOf(compared.filter((e) => e.hasSchedule)), ctx.retry),
  ]);
  const reconsidered = entries.map((e) => {
    const task = shown.get(e.index);
    return task && sent.has(e.index) ? reconsider(e, task, sent.get(e.index)) : e;
  });
  return finishPlan(compare(manifest, reconsidered, { shown, schedules, now: ctx.now ?? (() => new Date()) }), facts);
}

/**
 * In a later invocation of a run, a task found existing under `on_exists: skip` may be the run's own,
 * created after its last checkpoint by the invocation that stopped: its schedule is made sure of and a
 * stopped task started, as the first invocation would have done (docs/MANIFEST.md, "on_exists").
 */
function resumedSkip(entry: PlanEntry): PlanEntry {
  if (entry.action !== 'skip' || (entry.schedule !== 'leave' && entry.startAction !== 'leave')) return entry;
  return {
    ...entry,
    schedule: entry.hasSchedule ? 'ensure' : undefined,
    startAction: entry.start ? (entry.existing?.status === 1 ? 'running' : 'start') : undefined,
  };
}

/**
 * The tasks planned under `on_exists: update`, judged once FDI has shown them: each task against the
 * record of the last apply and the manifest, with its changes (fields and detail), and its schedule
 * against the one it has. A second pass over the manifest renders only those tasks again, rather than
 * keeping every body in memory.
 */
function compare(
  manifest: CompiledManifest,
  entries: PlanEntry[],
  read: {
    shown: ReadonlyMap<number, TaskResponse>;
    schedules: ReadonlyMap<number, ExistingDispatch | undefined>;
    now: () => Date;
  },
): PlanEntry[] {
  const { shown, schedules } = read;
  if (!shown.size && !schedules.size) return entries;
  const out = [...entries];
  for (const task of manifest.tasks()) {
    const e = out[task.index];
    if (!e) continue;
    const task$ = shown.get(task.index);
    if (e.action === 'update' && task$) {
      const sent = toCreateRequest(task, datasourceIds(e));
      const j = judged(e, task$, sent, read.now());
      out[task.index] = j.action === 'update' ? withTaskChanges(j, task$, sent) : j;
    }
    if (schedules.has(task.index) && task.schedule) {
      out[task.index] = withSchedule(out[task.index]!, schedules.get(task.index), task.schedule);
    }
  }
  return out;
}
