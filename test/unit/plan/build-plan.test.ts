/**
 * The pure planning decisions (lib/plan/build-plan.ts, lib/plan/targets.ts), table by table: how a
 * data-source reference resolves, which action a task gets, what a read-back changes, what blocks a
 * run, and where tasks go.
 */
import { describe, expect, it, vi } from 'vitest';
import type { BriefTask, CreateTaskRequest, DataSource, TaskResponse } from '../../../lib/fdi/model/api.js';
import type { CompiledManifest, DatasourceRef, ExpandedTask, TaskTarget } from '../../../lib/manifest/index.js';
import {
  finishPlan,
  judged,
  planTask,
  reconsider,
  settledEarlier,
  type PlanFacts,
} from '../../../lib/plan/build-plan.js';
import { existingFingerprint } from '../../../lib/plan/fingerprint.js';
import type { AppliedTask } from '../../../lib/types.js';
import { resolveDatasource } from '../../../lib/plan/datasources.js';
import { requestFingerprint } from '../../../lib/plan/fingerprint.js';
import { collectTargets, resolveTarget, type TargetDefaults } from '../../../lib/plan/targets.js';
import type { PlanAction, PlanEntry, PlanProblem } from '../../../lib/plan/types.js';
import { targetKey, type OnExists, type Target } from '../../../lib/types.js';

// ---------------------------------------------------------------------------------------------------
// Fixtures

const HERE: Target = { project_id: 'proj', instance_id: 'inst-1' };
const THERE: Target = { project_id: 'proj', instance_id: 'inst-2' };

function ds(datasource_id: string, datasource_name: string, app_id = 'app-1'): DataSource {
  return { datasource_id, datasource_name, datasource_type: 'MYSQL', app_id };
}

/** The data sources of an instance: `crm-api` is a substring of `crm-api-v2` on purpose. */
const KNOWN: DataSource[] = [
  ds('id-orders', 'mysql-orders'),
  ds('id-crm', 'crm-api'),
  ds('id-crm-v2', 'crm-api-v2'),
  ds('id-oracle', 'oracle-cdc'),
];

/** An expanded task as compiling makes it; `overrides` set what a row is about. */
function task(overrides: Partial<ExpandedTask> = {}): ExpandedTask {
  return {
    index: 0,
    name: 'orders-sync',
    line: 12,
    column: 5,
    target: {},
    task_type: 'REALTIME',
    source: { name: 'mysql-orders' },
    target_ds: { id: 'id-oracle' },
    task_detail: '{"targetSelectedDatasource":{"targetTable":"ORDERS"}}',
    start: false,
    ...overrides,
  };
}

function brief(task_id: string, task_name: string, status: 0 | 1 = 0): BriefTask {
  return {
    task_id,
    task_name,
    task_type: 'REALTIME',
    status,
    created_date: '2025-01-01 00:00:00',
    last_modified_time: 0,
    execute_status: 'UNSTARTED',
  };
}

/** What FDI told planning: existing tasks and data sources per target. */
function facts(
  options: {
    existing?: Array<[Target, BriefTask[]]>;
    totals?: Array<[Target, number]>;
    datasources?: Array<[Target, DataSource[]]>;
  } = {},
): PlanFacts {
  const datasources = options.datasources ?? [[HERE, KNOWN]];
  return {
    existing: new Map(
      (options.existing ?? []).map(([t, tasks]) => [targetKey(t), new Map(tasks.map((b) => [b.task_name, b]))]),
    ),
    existingTotal: new Map((options.totals ?? []).map(([t, n]) => [targetKey(t), n])),
    datasources: new Map(datasources.map(([t, list]) => [targetKey(t), list])),
  };
}

/** A plan entry as planTask makes one; `overrides` set what a row is about. */
function entry(index: number, action: PlanAction, overrides: Partial<PlanEntry> = {}): PlanEntry {
  return {
    index,
    name: `task-${index}`,
    line: 10 + index,
    target: HERE,
    action,
    hasSchedule: false,
    start: false,
    ...overrides,
  };
}

// ---------------------------------------------------------------------------------------------------
// resolveDatasource

describe('resolveDatasource', () => {
  const AMBIGUOUS: DataSource[] = [...KNOWN, ds('id-crm-other', 'crm-api', 'app-2')];

  it.each<{ what: string; ref: DatasourceRef; known: DataSource[] | undefined; expected: { id: string } }>([
    { what: 'an ID that exists', ref: { id: 'id-oracle' }, known: KNOWN, expected: { id: 'id-oracle' } },
    {
      what: 'an ID with no listing known (used as is)',
      ref: { id: 'id-anything' },
      known: undefined,
      expected: { id: 'id-anything' },
    },
    {
      what: 'a name that matches one data source',
      ref: { name: 'oracle-cdc' },
      known: KNOWN,
      expected: { id: 'id-oracle' },
    },
    {
      what: 'a name contained in another name: the exact match',
      ref: { name: 'crm-api' },
      known: KNOWN,
      expected: { id: 'id-crm' },
    },
    {
      what: 'a name containing another name: the exact match',
      ref: { name: 'crm-api-v2' },
      known: KNOWN,
      expected: { id: 'id-crm-v2' },
    },
  ])('resolves $what', ({ ref, known, expected }) => {
    expect(resolveDatasource(ref, known, 'source', HERE)).toEqual(expected);
  });

  const NAMES_HINT = 'the data sources of instance inst-1 are: "crm-api", "crm-api-v2", "mysql-orders", "oracle-cdc"';
  it.each<{ what: string; ref: DatasourceRef; known: DataSource[] | undefined; problem: PlanProblem }>([
    {
      what: 'an ID the listing does not have',
      ref: { id: 'id-gone' },
      known: KNOWN,
      problem: { message: 'target data source ID "id-gone" does not exist in instance inst-1' },
    },
    {
      what: 'a name with no near match: the names that exist',
      ref: { name: 'kafka-events' },
      known: KNOWN,
      problem: { message: 'target data source "kafka-events" was not found in instance inst-1', hint: NAMES_HINT },
    },
    {
      what: 'a typo: the closest name suggested',
      ref: { name: 'oracle_cdc' },
      known: KNOWN,
      problem: {
        message: 'target data source "oracle_cdc" was not found in instance inst-1; did you mean "oracle-cdc"?',
        hint: NAMES_HINT,
      },
    },
    {
      what: 'another case: the name as it is written suggested',
      ref: { name: 'CRM-API' },
      known: KNOWN,
      problem: {
        message: 'target data source "CRM-API" was not found in instance inst-1; did you mean "crm-api"?',
        hint: NAMES_HINT,
      },
    },
    {
      what: 'many data sources: the first ten names and the count',
      ref: { name: 'kafka' },
      known: Array.from({ length: 12 }, (_, i) => ds(`id-s${i}`, `stock-${String(i).padStart(2, '0')}`)),
      problem: {
        message: 'target data source "kafka" was not found in instance inst-1',
        hint: `the data sources of instance inst-1 are: ${Array.from({ length: 10 }, (_, i) => `"stock-${String(i).padStart(2, '0')}"`).join(', ')}, … (12 in all)`,
      },
    },
    {
      what: 'a name when no listing is known',
      ref: { name: 'crm-api' },
      known: undefined,
      problem: {
        message: 'target data source "crm-api" was not found in instance inst-1',
        hint: 'instance inst-1 has no data sources',
      },
    },
    {
      what: 'a name two apps use: both IDs named, the ID asked for',
      ref: { name: 'crm-api' },
      known: AMBIGUOUS,
      problem: {
        message:
          'target data source name "crm-api" is ambiguous in instance inst-1 (id-crm in app app-1, id-crm-other in app app-2); give the ID instead',
      },
    },
  ])('refuses $what', ({ ref, known, problem }) => {
    expect(resolveDatasource(ref, known, 'target', HERE)).toEqual({ problem });
  });

  it('places a name problem where the manifest writes the name', () => {
    const at = { line: 16, column: 13 };
    expect(resolveDatasource({ name: 'nope' }, KNOWN, 'source', HERE, at)).toEqual({
      problem: expect.objectContaining({ line: 16, column: 13 }),
    });
  });
});

// ---------------------------------------------------------------------------------------------------
// planTask

describe('planTask', () => {
  const HASH = 'hash-of-the-create-body';
  const EXISTING = brief('t-100', 'orders-sync', 1);

  it.each<{
    what: string;
    task?: Partial<ExpandedTask>;
    target?: Target | string;
    existing?: BriefTask[];
    onExists?: OnExists;
    expected: Partial<PlanEntry>;
    hashed: boolean;
  }>([
    {
      what: 'no task of that name: create',
      existing: [brief('t-7', 'another-task')],
      expected: { action: 'create', source_datasource_id: 'id-orders', target_datasource_id: 'id-oracle' },
      hashed: false,
    },
    {
      what: 'a task of that name and on_exists skip: skip',
      existing: [EXISTING],
      onExists: 'skip',
      expected: { action: 'skip', existing: { task_id: 't-100', status: 1 }, source_datasource_id: 'id-orders' },
      hashed: false,
    },
    {
      what: 'a task of that name and on_exists fail: conflict',
      existing: [EXISTING],
      onExists: 'fail',
      expected: {
        action: 'conflict',
        existing: { task_id: 't-100', status: 1 },
        reason: 'a task named "orders-sync" already exists in instance inst-1 (task t-100) and on_exists is "fail"',
      },
      hashed: false,
    },
    {
      what: 'a task of that name and on_exists update: update, with the body hashed',
      existing: [EXISTING],
      onExists: 'update',
      expected: {
        action: 'update',
        existing: { task_id: 't-100', status: 1 },
        bodyHash: HASH,
        reason: 'exists; will be compared with the manifest and updated if different',
      },
      hashed: true,
    },
    {
      what: 'a task of that name in another instance only: create',
      target: THERE,
      existing: [EXISTING],
      onExists: 'update',
      expected: { action: 'create', target: THERE },
      hashed: false,
    },
    {
      what: 'a target that did not resolve: invalid, with the reason given',
      target: 'no target instance_id (FDI_INSTANCE_ID or --instance-id)',
      onExists: 'update',
      expected: {
        action: 'invalid',
        target: { project_id: '', instance_id: '' },
        reason: 'no target instance_id (FDI_INSTANCE_ID or --instance-id)',
      },
      hashed: false,
    },
    {
      what: 'unknown source and target data sources: invalid, both problems joined',
      task: { source: { name: 'mysql-order' }, target_ds: { id: 'id-gone' } },
      existing: [EXISTING],
      onExists: 'update',
      expected: {
        action: 'invalid',
        reason:
          'source data source "mysql-order" was not found in instance inst-1; did you mean "mysql-orders"?; ' +
          'target data source ID "id-gone" does not exist in instance inst-1',
      },
      hashed: false,
    },
    {
      what: 'one unknown data source: invalid even when a task of that name exists',
      task: { target_ds: { name: 'oracle' } },
      existing: [EXISTING],
      onExists: 'skip',
      expected: {
        action: 'invalid',
        reason: 'target data source "oracle" was not found in instance inst-1; did you mean "oracle-cdc"?',
      },
      hashed: false,
    },
  ])('$what', ({ task: overrides, target = HERE, existing = [], onExists = 'skip', expected, hashed }) => {
    const where = typeof target === 'string' ? HERE : target;
    const hashBody = vi.fn((_ids: { source: string; target: string }) => HASH);
    const f = facts({ existing: [[HERE, existing]], datasources: [[where, KNOWN]] });
    const e = planTask(task(overrides), target, f, onExists, hashBody);
    expect(e).toMatchObject({ target: where, ...expected });
    if (hashed) expect(hashBody.mock.calls).toEqual([[{ source: 'id-orders', target: 'id-oracle' }]]);
    else expect(hashBody).not.toHaveBeenCalled();
    if (!hashed) expect(e).not.toHaveProperty('bodyHash');
    if (!expected.existing) expect(e).not.toHaveProperty('existing');
    if (expected.action === 'create' || expected.action === 'skip') expect(e).not.toHaveProperty('reason');
    if (expected.action === 'invalid') {
      expect(e).not.toHaveProperty('source_datasource_id');
      expect(e).not.toHaveProperty('target_datasource_id');
    }
  });

  it('carries the task: index, name, line, whether it has a schedule, whether it starts', () => {
    const timing = task({
      index: 4,
      name: 'stock-hourly',
      line: 40,
      task_type: 'TIMING',
      schedule: { period: 'HOUR', dispatch_interval: 2 },
      start: true,
    });
    const e = planTask(timing, HERE, facts(), 'skip', () => HASH);
    expect(e).toEqual({
      index: 4,
      name: 'stock-hourly',
      line: 40,
      hasSchedule: true,
      start: true,
      target: HERE,
      action: 'create',
      source_datasource_id: 'id-orders',
      target_datasource_id: 'id-oracle',
      // What happens after the create: the schedule created, the task started (#11.1).
      schedule: 'create',
      startAction: 'start',
    });
    expect(planTask(task(), HERE, facts(), 'skip', () => HASH)).toMatchObject({ hasSchedule: false, start: false });
  });
});

// ---------------------------------------------------------------------------------------------------
// settledEarlier and reconsider

describe('settledEarlier', () => {
  it.each<PlanAction>(['create', 'update', 'conflict', 'skip'])('turns %s into a skip, keeping the task', (action) => {
    const before = entry(3, action, { existing: { task_id: 't-3', status: 0 }, reason: 'anything' });
    expect(settledEarlier(before)).toEqual({
      ...before,
      action: 'skip',
      reason: 'settled by an earlier invocation of this run',
    });
  });
});

/** What this manifest sends for task-0. */
const sent: CreateTaskRequest = {
  task: {
    task_name: 'task-0',
    task_type: 'TIMING',
    source_datasource_id: 'id-orders',
    target_datasource_id: 'id-oracle',
    task_tag: 'wave_1',
  },
  task_detail: '{"targetSelectedDatasource":{"targetTable":"ORDERS"},"mappingRequired":false}',
};
/** The task as FDI shows it back: lowercase type, and the detail as given (re-serialised or not). */
const shown = (detail: string, fields: Partial<TaskResponse['task']> = {}): TaskResponse => ({
  task: {
    task_id: 't-0',
    task_name: 'task-0',
    task_type: 'timing',
    status: 'stop',
    project_id: 'proj',
    source_datasource_id: 'id-orders',
    target_datasource_id: 'id-oracle',
    task_tag: 'wave_1',
    created_date: 0,
    last_modified_date: 0,
    ...fields,
  },
  task_detail: detail,
});

describe('reconsider', () => {
  const SAME = shown('{ "mappingRequired": false, "targetSelectedDatasource": { "targetTable": "ORDERS" } }');
  const OTHER_DETAIL = shown('{"targetSelectedDatasource":{"targetTable":"ORDERS_V2"},"mappingRequired":false}');
  const UNCOMPARABLE = { task: {} } as TaskResponse;
  const existing = { task_id: 't-0', status: 0 } as const;
  const conflict = entry(0, 'conflict', { existing, reason: 'a task named "task-0" already exists …' });

  it.each<{ what: string; before: PlanEntry; show: TaskResponse; send?: CreateTaskRequest; after: Partial<PlanEntry> }>(
    [
      {
        what: 'conflict, shown as sent → skip (created by an earlier invocation)',
        before: conflict,
        show: SAME,
        send: sent,
        after: {
          action: 'skip',
          reason: 'exists as this manifest defines it: created by an earlier invocation of this run',
        },
      },
      {
        what: 'conflict, shown identical but nothing sent to compare → conflict',
        before: conflict,
        show: SAME,
        after: { action: 'conflict', reason: conflict.reason },
      },
      {
        what: 'conflict, shown with another definition → conflict',
        before: conflict,
        show: OTHER_DETAIL,
        send: sent,
        after: { action: 'conflict', reason: conflict.reason },
      },
      {
        what: 'conflict, shown in a shape that cannot be compared → conflict',
        before: conflict,
        show: UNCOMPARABLE,
        send: sent,
        after: { action: 'conflict', reason: conflict.reason },
      },
    ],
  )('$what', ({ before, show, send, after }) => {
    const e = reconsider(before, show, send);
    expect(e).toEqual({ ...before, ...after });
  });
  it.each<PlanAction>(['create', 'skip', 'invalid'])('leaves %s as it is', (action) => {
    const before = entry(0, action, { reason: 'as planned' });
    expect(reconsider(before, SAME, sent)).toBe(before);
  });
});

describe('judged: an existing task under on_exists: update, once FDI has shown it', () => {
  /** FDI's response form (RawFormDataResponse): snake_case, task fields folded in. */
  const RESPONSE = shown(
    '{"project_id":"proj","task_name":"task-0","target_selected_datasource":{"targetTable":"ORDERS"}}',
  );
  const EDITED = shown('{"project_id":"proj","task_name":"task-0","target_selected_datasource":{"targetTable":"X"}}');
  const AT = new Date('2026-11-29T00:00:00Z');
  const hash = requestFingerprint(sent);
  const existing = { task_id: 't-0', status: 0, modified: 7 } as const;
  const update = entry(0, 'update', { existing, bodyHash: hash, reason: 'exists; …' });
  const record = (over: Partial<AppliedTask> = {}): AppliedTask => ({
    task_id: 't-0',
    request: hash,
    shown: existingFingerprint(RESPONSE),
    modified: 5,
    at: '2026-11-28T00:00:00.000Z',
    ...over,
  });
  const fresh = (request: string, shownAs: TaskResponse): AppliedTask => ({
    task_id: 't-0',
    request,
    shown: existingFingerprint(shownAs),
    modified: 7,
    at: AT.toISOString(),
  });

  it.each<{ what: string; before: PlanEntry; show: TaskResponse; after: Partial<PlanEntry> }>([
    {
      what: 'comparable and identical (re-serialised) → unchanged, recorded',
      before: update,
      show: shown('{ "mappingRequired": false, "targetSelectedDatasource": { "targetTable": "ORDERS" } }'),
      after: { action: 'skip', compared: 'unchanged', reason: 'exists and is as the manifest defines it' },
    },
    {
      what: 'comparable with another detail → update, "differs"',
      before: update,
      show: shown('{"targetSelectedDatasource":{"targetTable":"ORDERS_V2"},"mappingRequired":false}'),
      after: { action: 'update', compared: 'update', reason: 'exists and differs from the manifest' },
    },
    {
      what: 'another tag, detail in response form → update, "differs" (fields can always be compared)',
      before: update,
      show: shown(RESPONSE.task_detail, { task_tag: 'wave_2' }),
      after: { action: 'update', compared: 'update', reason: 'exists and differs from the manifest' },
    },
    {
      what: 'response form, no record → drift unknown (rewritten once)',
      before: update,
      show: RESPONSE,
      after: { action: 'update', compared: 'drift unknown' },
    },
    {
      what: 'response form, the record shows FDI unchanged and the manifest too → unchanged, record refreshed',
      before: { ...update, record: record() },
      show: RESPONSE,
      after: { action: 'skip', compared: 'unchanged' },
    },
    {
      what: 'response form, FDI unchanged but the manifest changed → update',
      before: { ...update, record: record({ request: 'an older body' }) },
      show: RESPONSE,
      after: {
        action: 'update',
        compared: 'update',
        reason: 'the manifest changed since this product last applied it',
      },
    },
    {
      what: 'response form, FDI shows something else than after the last apply → drifted, update',
      before: { ...update, record: record() },
      show: EDITED,
      after: {
        action: 'update',
        compared: 'update',
        reason: 'changed in FDI since this product last applied it: brought back to the manifest',
      },
    },
  ])('$what', ({ before, show, after }) => {
    const e = judged(before, show, sent, AT);
    expect(e).toMatchObject(after);
    expect(e).not.toHaveProperty('record');
    if (after.compared === 'unchanged') {
      const request = before.record?.request ?? hash;
      expect(e.applied).toEqual(fresh(request, show));
    } else expect(e.applied).toBeUndefined();
    if (after.compared === 'drift unknown') expect(e.reason).toMatch(/^drift unknown: .*no record/);
  });
});

describe('planTask with records and tasks of another kind', () => {
  const listed = { ...brief('t-100', 'orders-sync'), last_modified_time: 42 };
  const HASH = 'hash-of-the-body';
  const withRecord = (r: Partial<AppliedTask>): PlanFacts => ({
    ...facts({ existing: [[HERE, [listed]]] }),
    applied: new Map([
      [
        targetKey(HERE),
        new Map([['orders-sync', { task_id: 't-100', request: HASH, shown: 's', modified: 42, at: '', ...r }]]),
      ],
    ]),
  });

  it('unchanged by the record: the same body and the same modification time → skip without a read', () => {
    const e = planTask(task(), HERE, withRecord({}), 'update', () => HASH);
    expect(e).toMatchObject({ action: 'skip', compared: 'unchanged', existing: { modified: 42 } });
    expect(e).not.toHaveProperty('record');
  });

  it.each<[string, Partial<AppliedTask>]>([
    ['the modification time moved', { modified: 41 }],
    ['the manifest renders another body', { request: 'other' }],
    ['the record is of another task of that name', { task_id: 't-99' }],
  ])('%s → update, to be read (with the record when it is of this task)', (_what, r) => {
    const e = planTask(task(), HERE, withRecord(r), 'update', () => HASH);
    expect(e.action).toBe('update');
    expect(e.compared).toBeUndefined();
    expect(e.record?.task_id === 't-100').toBe(r.task_id === undefined);
  });

  it.each<[string, Partial<BriefTask>]>([
    ['a composite task (ext_type set)', { ext_type: 'CDC' }],
    ['not a common task', { task_type: 'COMPOSITE' }],
  ])('%s of the same name → conflict under every on_exists, never written', (_what, kind) => {
    for (const onExists of ['skip', 'update', 'fail'] as const) {
      const f = facts({ existing: [[HERE, [{ ...listed, ...kind }]]] });
      const e = planTask(task({ start: true }), HERE, f, onExists, () => HASH);
      expect(e.action, onExists).toBe('conflict');
      expect(e.reason).toMatch(
        /already exists in instance inst-1 \(task t-100\) and is .*this product never writes it/,
      );
      expect(e.startAction).toBeUndefined();
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// finishPlan

describe('finishPlan', () => {
  const creates = (n: number, target: Target, from = 0) =>
    Array.from({ length: n }, (_, i) => entry(from + i, 'create', { target }));

  it.each<{ what: string; existing: number; creates: number; limit: number; blocker: string | null }>([
    { what: 'well under the quota', existing: 10, creates: 5, limit: 1000, blocker: null },
    { what: 'exactly at the quota', existing: 995, creates: 5, limit: 1000, blocker: null },
    {
      what: 'one over the quota',
      existing: 996,
      creates: 5,
      limit: 1000,
      blocker:
        'instance inst-1 would hold 1001 tasks (996 existing + 5 new), over its quota of 1000; move 1 tasks to another instance with "target"',
    },
    {
      what: 'over a lowered quota with nothing existing',
      existing: 0,
      creates: 5,
      limit: 3,
      blocker:
        'instance inst-1 would hold 5 tasks (0 existing + 5 new), over its quota of 3; move 2 tasks to another instance with "target"',
    },
  ])('instance quota: $what', ({ existing, creates: n, limit, blocker }) => {
    const plan = finishPlan(creates(n, HERE), facts({ totals: [[HERE, existing]] }), limit);
    expect(plan.quota).toEqual([{ target: HERE, existing, creates: n, limit }]);
    expect(plan.blockers).toEqual(blocker === null ? [] : [blocker]);
  });

  it('checks against the FDI quota of 1,000 by default', () => {
    expect(finishPlan(creates(2, HERE), facts({ totals: [[HERE, 998]] })).blockers).toEqual([]);
    expect(finishPlan(creates(3, HERE), facts({ totals: [[HERE, 998]] })).blockers).toEqual([
      expect.stringMatching(/^instance inst-1 would hold 1001 tasks .* move 1 tasks/),
    ]);
  });

  it('has one quota row per target that gets creates; skips, updates and invalid tasks do not count', () => {
    const entries = [
      ...creates(2, HERE),
      ...creates(3, THERE, 2),
      entry(5, 'skip', { target: HERE }),
      entry(6, 'update', { target: THERE }),
      entry(7, 'skip', { target: { project_id: 'proj', instance_id: 'inst-3' } }),
    ];
    const plan = finishPlan(entries, facts({ totals: [[THERE, 40]] }), 1000);
    expect(plan.entries).toBe(entries);
    expect(plan.quota).toEqual([
      { target: HERE, existing: 0, creates: 2, limit: 1000 },
      { target: THERE, existing: 40, creates: 3, limit: 1000 },
    ]);
    expect(plan.blockers).toEqual([]);
  });

  const conflicts = (n: number) =>
    Array.from({ length: n }, (_, i) => entry(i, 'conflict', { name: `c${i}`, reason: 'exists' }));
  const invalid = (n: number) =>
    Array.from({ length: n }, (_, i) => entry(100 + i, 'invalid', { name: `v${i}`, reason: `problem ${i}` }));

  it.each<{ what: string; entries: PlanEntry[]; blockers: string[] }>([
    { what: 'nothing to block', entries: [entry(0, 'create'), entry(1, 'skip'), entry(2, 'update')], blockers: [] },
    {
      what: 'one conflict',
      entries: conflicts(1),
      blockers: ['1 task(s) already exist and on_exists is "fail": "c0"'],
    },
    {
      what: 'five conflicts, all named',
      entries: conflicts(5),
      blockers: ['5 task(s) already exist and on_exists is "fail": "c0", "c1", "c2", "c3", "c4"'],
    },
    {
      what: 'six conflicts: five named, then …',
      entries: conflicts(6),
      blockers: ['6 task(s) already exist and on_exists is "fail": "c0", "c1", "c2", "c3", "c4", …'],
    },
    {
      what: 'three invalid tasks, each with its problem',
      entries: invalid(3),
      blockers: ['3 task(s) are invalid: "v0": problem 0; "v1": problem 1; "v2": problem 2'],
    },
    {
      what: 'four invalid tasks: three named, then …',
      entries: invalid(4),
      blockers: ['4 task(s) are invalid: "v0": problem 0; "v1": problem 1; "v2": problem 2; …'],
    },
    {
      what: 'conflicts and invalid tasks: two blockers, conflicts first',
      entries: [...invalid(1), ...conflicts(2)],
      blockers: [
        '2 task(s) already exist and on_exists is "fail": "c0", "c1"',
        '1 task(s) are invalid: "v0": problem 0',
      ],
    },
  ])('blockers: $what', ({ entries, blockers }) => {
    expect(finishPlan(entries, facts()).blockers).toEqual(blockers);
  });

  it('puts the quota first among several blockers', () => {
    const plan = finishPlan([...creates(2, HERE), ...conflicts(1)], facts({ totals: [[HERE, 1]] }), 2);
    expect(plan.blockers).toHaveLength(2);
    expect(plan.blockers[0]).toMatch(/^instance inst-1 would hold 3 tasks/);
    expect(plan.blockers[1]).toMatch(/^1 task\(s\) already exist/);
  });
});

// ---------------------------------------------------------------------------------------------------
// resolveTarget and collectTargets

const NO_PROJECT = 'project_id (FDI_PROJECT_ID or --project-id)';
const NO_INSTANCE = 'instance_id (FDI_INSTANCE_ID or --instance-id)';
const HINT = 'set "target" in the manifest or configure it';

describe('resolveTarget', () => {
  it.each<{ what: string; task: TaskTarget; defaults: TargetDefaults; expected: Target | string }>([
    {
      what: 'the task names both',
      task: { project_id: 'p-task', instance_id: 'i-task' },
      defaults: {},
      expected: { project_id: 'p-task', instance_id: 'i-task' },
    },
    {
      what: 'the defaults fill in both',
      task: {},
      defaults: { projectId: 'p-conf', instanceId: 'i-conf' },
      expected: { project_id: 'p-conf', instance_id: 'i-conf' },
    },
    {
      what: 'the defaults fill in the part the task leaves out',
      task: { instance_id: 'i-task' },
      defaults: { projectId: 'p-conf', instanceId: 'i-conf' },
      expected: { project_id: 'p-conf', instance_id: 'i-task' },
    },
    {
      what: 'the task wins over the defaults',
      task: { project_id: 'p-task', instance_id: 'i-task' },
      defaults: { projectId: 'p-conf', instanceId: 'i-conf' },
      expected: { project_id: 'p-task', instance_id: 'i-task' },
    },
    {
      what: 'no project anywhere',
      task: { instance_id: 'i-task' },
      defaults: { instanceId: 'i-conf' },
      expected: `no target ${NO_PROJECT}: ${HINT}`,
    },
    {
      what: 'no instance anywhere',
      task: {},
      defaults: { projectId: 'p-conf', instanceId: undefined },
      expected: `no target ${NO_INSTANCE}: ${HINT}`,
    },
    {
      what: 'neither anywhere',
      task: {},
      defaults: {},
      expected: `no target ${NO_PROJECT} and ${NO_INSTANCE}: ${HINT}`,
    },
  ])('$what', ({ task: t, defaults, expected }) => {
    expect(resolveTarget(t, defaults)).toEqual(expected);
  });
});

describe('collectTargets', () => {
  /** A compiled manifest reduced to what collectTargets reads: its targets and its tasks. */
  function manifest(tasks: ExpandedTask[]): CompiledManifest & { walks: () => number } {
    let walks = 0;
    const targets: CompiledManifest['targets'] = [];
    for (const t of tasks) {
      const same = targets.find((x) => JSON.stringify(x.target) === JSON.stringify(t.target));
      if (same) same.tasks += 1;
      else targets.push({ target: t.target, tasks: 1 });
    }
    return {
      file: 'wave1.yaml',
      version: 1,
      target: {},
      options: { on_exists: 'skip' },
      taskCount: tasks.length,
      targets,
      tasks() {
        walks += 1;
        return tasks;
      },
      walks: () => walks,
    };
  }

  it('gives the distinct targets once defaults fill them in, without walking the tasks', () => {
    const m = manifest([
      task({ index: 0, name: 'a-task', target: { instance_id: 'inst-1' } }),
      task({ index: 1, name: 'b-task', target: { project_id: 'proj', instance_id: 'inst-1' } }),
      task({ index: 2, name: 'c-task', target: {} }),
      task({ index: 3, name: 'd-task', target: { instance_id: 'inst-2' } }),
    ]);
    const r = collectTargets(m, { projectId: 'proj', instanceId: 'inst-1' });
    expect(r).toEqual({ targets: [HERE, THERE], missing: [] });
    expect(m.walks()).toBe(0);
  });

  it('names each task without a target, located, and still gives the targets the others have', () => {
    const m = manifest([
      task({ index: 0, name: 'a-task', line: 7, column: 5, target: { instance_id: 'inst-2' } }),
      task({ index: 1, name: 'b-task', line: 9, column: 5, target: {} }),
      task({ index: 2, name: 'c-task', line: 11, column: 7, target: {} }),
      task({ index: 3, name: 'd-task', line: 13, column: 5, target: { project_id: 'other' } }),
    ]);
    const r = collectTargets(m, { projectId: 'proj' });
    expect(r.targets).toEqual([THERE]);
    expect(r.missing).toEqual([
      { message: `task "b-task": no target ${NO_INSTANCE}: ${HINT}`, line: 9, column: 5, task: 'b-task' },
      { message: `task "c-task": no target ${NO_INSTANCE}: ${HINT}`, line: 11, column: 7, task: 'c-task' },
      { message: `task "d-task": no target ${NO_INSTANCE}: ${HINT}`, line: 13, column: 5, task: 'd-task' },
    ]);
    expect(m.walks()).toBe(1);
  });

  it('names every task when nothing is configured and the manifest has no target', () => {
    const m = manifest([task({ index: 0, name: 'a-task' }), task({ index: 1, name: 'b-task', line: 20 })]);
    const r = collectTargets(m, {});
    expect(r.targets).toEqual([]);
    expect(r.missing.map((e) => [e.task, e.line])).toEqual([
      ['a-task', 12],
      ['b-task', 20],
    ]);
    expect(r.missing[0].message).toBe(`task "a-task": no target ${NO_PROJECT} and ${NO_INSTANCE}: ${HINT}`);
  });
});

describe('finishPlan: the invalid tasks’ problems, once each', () => {
  it('collapses the same problem at the same place into one, naming its tasks (five at most)', () => {
    const wrongName = {
      message: 'target data source "x" was not found in instance inst-1',
      hint: 'h',
      line: 8,
      column: 13,
    };
    const elsewhere = { ...wrongName, line: 20 };
    const entries = [
      ...Array.from({ length: 7 }, (_, i) => entry(i, 'invalid', { name: `w-${i}`, problems: [wrongName] })),
      entry(7, 'invalid', { name: 'other', problems: [elsewhere] }),
      entry(8, 'create'),
    ];
    const plan = finishPlan(entries, facts({}));
    expect(plan.problems).toEqual([
      {
        ...wrongName,
        message: `${wrongName.message} (7 tasks: w-0, w-1, w-2, w-3, w-4, …)`,
        tasks: ['w-0', 'w-1', 'w-2', 'w-3', 'w-4', 'w-5', 'w-6'],
      },
      { ...elsewhere, message: `${elsewhere.message} (1 task: other)`, tasks: ['other'] },
    ]);
  });
});
