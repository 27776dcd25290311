/**
 * Pure planning: from a task, the facts learned from FDI (existing tasks, data sources) and the
 * manifest's `on_exists`, decide the action; then reconsider the decisions a read-back can change,
 * and check what blocks the whole run. No I/O here: reads.ts does the reading.
 */
import type {
  BriefTask,
  CreateTaskRequest,
  DataSource,
  TaskDispatch,
  TaskDispatchRsp,
  TaskResponse,
} from '../fdi/model/api.js';
import { INSTANCE_TASK_QUOTA } from '../fdi/model/api.js';
import type { ExpandedTask } from '../manifest/index.js';
import { resolveDatasource } from './datasources.js';
import { targetKey, type OnExists, type Target } from '../types.js';
import { scheduleChanges, taskChanges } from './diff.js';
import { existingFingerprint, sameDefinition } from './fingerprint.js';
import type { Plan, PlanEntry, PlanProblem } from './types.js';

/** What FDI told us, per target (`targetKey`). */
export interface PlanFacts {
  existing: Map<string, Map<string, BriefTask>>;
  /** `total` of the task listing: every task in the instance, ours or not. */
  existingTotal: Map<string, number>;
  datasources: Map<string, DataSource[]>;
}

/** Decides one task's action. `hashBody` hashes the create body once data sources are resolved (for `update`). */
export function planTask(
  task: ExpandedTask,
  target: Target | string,
  facts: PlanFacts,
  onExists: OnExists,
  hashBody: (ids: { source: string; target: string }) => string,
): PlanEntry {
  const base = {
    index: task.index,
    name: task.name,
    line: task.line,
    hasSchedule: task.schedule !== undefined,
    start: task.start,
  };
  if (typeof target === 'string') {
    return { ...base, target: { project_id: '', instance_id: '' }, action: 'invalid', reason: target };
  }
  const key = targetKey(target);
  const known = facts.datasources.get(key);
  const src = resolveDatasource(task.source, known, 'source', target, task.namesAt?.source);
  const dst = resolveDatasource(task.target_ds, known, 'target', target, task.namesAt?.target);
  if ('problem' in src || 'problem' in dst) {
    const problems = [src, dst].flatMap((r) => ('problem' in r ? [r.problem] : []));
    return { ...base, target, action: 'invalid', reason: problems.map((p) => p.message).join('; '), problems };
  }
  const ids = { source: src.id, target: dst.id };
  const create: PlanEntry = {
    ...base,
    target,
    action: 'create',
    source_datasource_id: ids.source,
    target_datasource_id: ids.target,
    schedule: task.schedule && 'create',
    startAction: task.start ? 'start' : undefined,
  };
  const found = facts.existing.get(key)?.get(task.name);
  if (!found) return create;
  const exists = { ...create, existing: { task_id: found.task_id, status: found.status } };
  switch (onExists) {
    case 'skip':
      // Left alone: the task, its schedule and its state (docs/MANIFEST.md).
      return {
        ...exists,
        action: 'skip',
        schedule: task.schedule && 'leave',
        startAction: task.start ? 'leave' : undefined,
      };
    case 'fail': {
      const reason = `a task named "${task.name}" already exists in instance ${target.instance_id} (task ${found.task_id}) and on_exists is "fail"`;
      return { ...exists, action: 'conflict', reason, schedule: undefined, startAction: undefined };
    }
    case 'update':
      return updateEntry(exists, found.status, hashBody(ids), task.start);
  }
}

/**
 * An existing task under `on_exists: update`. Only an update compares bodies, so only it pays for
 * hashing the detail; its schedule is read and compared too (withSchedule); a stopped task is started,
 * a running one left running.
 */
function updateEntry(exists: PlanEntry, status: 0 | 1, bodyHash: string, start: boolean): PlanEntry {
  return {
    ...exists,
    action: 'update',
    bodyHash,
    reason: 'exists; will be compared with the manifest and updated if different',
    startAction: start ? (status === 1 ? 'running' : 'start') : undefined,
  };
}

/**
 * A later invocation of a run leaves alone what earlier invocations settled: neither a conflict nor
 * a create to count against the quota.
 */
export function settledEarlier(entry: PlanEntry): PlanEntry {
  const reason = 'settled by an earlier invocation of this run';
  return { ...entry, action: 'skip', reason, schedule: undefined, startAction: undefined };
}

/**
 * A second look at a task that exists, once FDI has shown it. Under `on_exists: update`, an
 * identical task is skipped. For a resumed run under `on_exists: fail`, a conflict whose task holds
 * exactly what this run would send (`sent`) was created by an earlier invocation after its last
 * checkpoint: it is the run's own, not a conflict. An answer that cannot be compared changes nothing.
 */
export function reconsider(entry: PlanEntry, shown: TaskResponse, sent?: CreateTaskRequest): PlanEntry {
  if (entry.action === 'update') {
    return existingFingerprint(shown) === entry.bodyHash
      ? { ...entry, action: 'skip', reason: 'exists and is identical to the manifest' }
      : { ...entry, reason: 'exists and differs from the manifest' };
  }
  if (entry.action === 'conflict' && sent && sameDefinition(shown, sent) === true) {
    const reason = 'exists as this manifest defines it: created by an earlier invocation of this run';
    return { ...entry, action: 'skip', reason };
  }
  return entry;
}

/**
 * An existing task's schedule against the manifest's (`on_exists: update`): created when it has none,
 * updated when a field differs (the changes join the entry's), kept when it is the manifest's.
 */
export function withSchedule(entry: PlanEntry, have: TaskDispatchRsp | undefined, want: TaskDispatch): PlanEntry {
  if (!have)
    return { ...entry, schedule: 'create', changes: [...(entry.changes ?? []), { path: 'schedule', to: want }] };
  const changes = scheduleChanges(have, want);
  if (!changes.length) return { ...entry, schedule: 'keep', dispatchId: have.dispatch_id };
  return {
    ...entry,
    schedule: 'update',
    dispatchId: have.dispatch_id,
    changes: [...(entry.changes ?? []), ...changes],
  };
}

/** An update's own changes (the task's fields and detail), before its schedule's. */
export function withTaskChanges(entry: PlanEntry, shown: TaskResponse, sent: CreateTaskRequest): PlanEntry {
  return { ...entry, changes: [...taskChanges(shown, sent), ...(entry.changes ?? [])] };
}

/** Checks the instance quota and collects what blocks the whole run (quota, conflicts). */
export function finishPlan(entries: PlanEntry[], facts: PlanFacts, quotaLimit = INSTANCE_TASK_QUOTA): Plan {
  const creates = new Map<string, { target: Target; n: number }>();
  for (const e of entries) {
    if (e.action !== 'create') continue;
    const k = targetKey(e.target);
    const c = creates.get(k) ?? { target: e.target, n: 0 };
    c.n += 1;
    creates.set(k, c);
  }
  const quota = [...creates.entries()].map(([k, { target, n }]) => ({
    target,
    existing: facts.existingTotal.get(k) ?? 0,
    creates: n,
    limit: quotaLimit,
  }));
  const blockers: string[] = [];
  for (const q of quota) {
    if (q.existing + q.creates > q.limit) {
      blockers.push(
        `instance ${q.target.instance_id} would hold ${q.existing + q.creates} tasks ` +
          `(${q.existing} existing + ${q.creates} new), over its quota of ${q.limit}; ` +
          `move ${q.existing + q.creates - q.limit} tasks to another instance with "target"`,
      );
    }
  }
  const conflicts = entries.filter((e) => e.action === 'conflict');
  if (conflicts.length)
    blockers.push(
      `${conflicts.length} task(s) already exist and on_exists is "fail": ${conflicts
        .slice(0, 5)
        .map((e) => `"${e.name}"`)
        .join(', ')}${conflicts.length > 5 ? ', …' : ''}`,
    );
  const invalid = entries.filter((e) => e.action === 'invalid');
  if (invalid.length)
    blockers.push(
      `${invalid.length} task(s) are invalid: ${invalid
        .slice(0, 3)
        .map((e) => `"${e.name}": ${e.reason}`)
        .join('; ')}${invalid.length > 3 ? '; …' : ''}`,
    );
  return { entries, quota, blockers, problems: collapseProblems(invalid) };
}

/** How many task names a collapsed problem lists. */
const LISTED_TASKS = 5;

/** The invalid tasks' problems, each once (same place, same words) with the tasks it concerns. */
function collapseProblems(invalid: readonly PlanEntry[]): Plan['problems'] {
  const byKey = new Map<string, PlanProblem & { tasks: string[] }>();
  for (const e of invalid) {
    for (const p of e.problems ?? []) {
      const key = [p.line, p.column, p.message].join('\u0000');
      const seen = byKey.get(key) ?? { ...p, tasks: [] };
      seen.tasks.push(e.name);
      byKey.set(key, seen);
    }
  }
  return [...byKey.values()].map((p) => {
    const names = p.tasks.slice(0, LISTED_TASKS).join(', ') + (p.tasks.length > LISTED_TASKS ? ', …' : '');
    return { ...p, message: `${p.message} (${p.tasks.length} task${p.tasks.length === 1 ? '' : 's'}: ${names})` };
  });
}
