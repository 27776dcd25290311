/**
 * Pure planning: from a task, the facts learned from FDI (existing tasks, data sources) and the
 * manifest's `on_exists`, decide the action; then reconsider the decisions a read-back can change,
 * and check what blocks the whole run. No I/O here: reads.ts does the reading.
 */
import type { BriefTask, CreateTaskRequest, DataSource, TaskDispatch, TaskResponse } from '../fdi/model/api.js';
import { INSTANCE_TASK_QUOTA } from '../fdi/model/api.js';
import type { ExpandedTask } from '../manifest/index.js';
import { resolveDatasource } from './datasources.js';
import { targetKey, type OnExists, type Target } from '../types.js';
import { scheduleChanges, taskChanges } from './diff.js';
import { compareShown, sameDefinition } from './fingerprint.js';
import { judge, listedModified, recordOf, unchangedByRecord, type AppliedTasks, type Verdict } from './applied.js';
import type { Compared, ExistingDispatch, Plan, PlanEntry, PlanProblem } from './types.js';

/** What FDI told us, and what this product recorded of its last applies, per target (`targetKey`). */
export interface PlanFacts {
  existing: Map<string, Map<string, BriefTask>>;
  /** `total` of the task listing: every task in the instance, ours or not. */
  existingTotal: Map<string, number>;
  datasources: Map<string, DataSource[]>;
  /** The records of the last applies (lib/plan/applied.ts); absent or empty costs reads, never a wrong answer. */
  applied?: ReadonlyMap<string, AppliedTasks> | undefined;
}

/** A task of the listing this product must never write: a composite (CDC …) task, or not a common task at all. */
export function otherKind(listed: BriefTask): string | undefined {
  if (listed.ext_type) return `a composite task (ext_type ${listed.ext_type})`;
  const type = String(listed.task_type ?? '').toUpperCase();
  if (type !== 'REALTIME' && type !== 'TIMING') return `not a common task (task_type ${listed.task_type})`;
  return undefined;
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
  const listed = { task_id: found.task_id, status: found.status, modified: listedModified(found) };
  const exists = { ...create, existing: listed };
  const kind = otherKind(found);
  if (kind) {
    const reason = `a task named "${task.name}" already exists in instance ${target.instance_id} (task ${found.task_id}) and is ${kind}: this product never writes it; rename the manifest's task`;
    return { ...exists, action: 'conflict', reason, otherKind: kind, schedule: undefined, startAction: undefined };
  }
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
    case 'update': {
      const bodyHash = hashBody(ids);
      const entry = updateEntry(exists, found.status, bodyHash, task.start);
      const record = recordOf(facts.applied?.get(key), found);
      if (!unchangedByRecord(record, listed, bodyHash)) return { ...entry, record };
      const reason = 'unchanged since this product applied it (FDI lists the same modification time)';
      return { ...entry, action: 'skip', compared: 'unchanged', reason };
    }
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
 * An existing task FDI has shown, judged against the record of the last apply and what the manifest
 * would send (lib/plan/applied.ts): the one judgement apply's and destroy's plans share.
 */
export function verdictOn(entry: PlanEntry, shown: TaskResponse, sent: CreateTaskRequest, at: Date): Verdict {
  const c = compareShown(shown, sent) ?? { fieldsDiffer: true, comparable: false, identical: false, valuesKept: false };
  return judge(shown, entry.existing!, entry.record, { requestHash: entry.bodyHash!, ...c, at });
}

/**
 * An existing task under `on_exists: update`, once FDI has shown it: judged against the record of the
 * last apply and the manifest (lib/plan/applied.ts). Unchanged, it is skipped (its record refreshed);
 * otherwise it is updated, and `compared` and the reason say what was found.
 */
export function judged(entry: PlanEntry, shown: TaskResponse, sent: CreateTaskRequest, at: Date): PlanEntry {
  const { record: _record, ...rest } = entry;
  const verdict = verdictOn(entry, shown, sent, at);
  const update = (reason: string, compared: Compared = 'update'): PlanEntry => ({ ...rest, compared, reason });
  switch (verdict.kind) {
    case 'unchanged':
      return {
        ...rest,
        action: 'skip',
        compared: 'unchanged',
        reason: 'exists and is as the manifest defines it',
        applied: verdict.record,
      };
    case 'manifest-changed':
      return update('the manifest changed since this product last applied it');
    case 'drifted':
      return update('changed in FDI since this product last applied it: brought back to the manifest');
    case 'differs':
      return update('exists and differs from the manifest');
    case 'unknown':
      return update(
        "drift unknown: FDI shows task_detail in its own form and there is no record of this product's last apply; rewritten to the manifest once, so that it can be compared from now on",
        'drift unknown',
      );
  }
}

/**
 * A resumed run's second look at a conflict under `on_exists: fail`, once FDI has shown the task: one
 * holding exactly what this run would send (`sent`) was created by an earlier invocation after its
 * last checkpoint: it is the run's own, not a conflict. An answer that cannot be compared changes nothing.
 */
export function reconsider(entry: PlanEntry, shown: TaskResponse, sent?: CreateTaskRequest): PlanEntry {
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
export function withSchedule(entry: PlanEntry, have: ExistingDispatch | undefined, want: TaskDispatch): PlanEntry {
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
  const conflicts = entries.filter((e) => e.action === 'conflict' && !e.otherKind);
  if (conflicts.length)
    blockers.push(
      `${conflicts.length} task(s) already exist and on_exists is "fail": ${conflicts
        .slice(0, 5)
        .map((e) => `"${e.name}"`)
        .join(', ')}${conflicts.length > 5 ? ', …' : ''}`,
    );
  const otherKinds = entries.filter((e) => e.otherKind);
  if (otherKinds.length)
    blockers.push(
      `${otherKinds.length} task name(s) are taken by tasks of another kind, which this product never writes; rename them in the manifest: ${otherKinds
        .slice(0, 5)
        .map((e) => `"${e.name}" (task ${e.existing?.task_id}, ${e.otherKind})`)
        .join(', ')}${otherKinds.length > 5 ? ', …' : ''}`,
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
