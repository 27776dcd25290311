/**
 * A task found existing under `on_exists: skip` (docs/MANIFEST.md, "on_exists"), through the
 * orchestrator against the emulator:
 *
 * - in a later invocation of a run (resume.invocation > 1) it may be the run's own, created after the
 *   last checkpoint: the plan makes sure of its schedule (`ensure`) and starts it when stopped;
 * - in a run's first invocation it is left alone: its schedule and state untouched;
 * - a task someone creates between planning and the create goes off the plan: its schedule is looked
 *   for before it is written (`ensure`), under `skip` and under `update` alike.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index.js';
import { loadConfig, type Config } from '../../../lib/config.js';
import { connectFdi } from '../../../lib/fdi/client/connect.js';
import { silentLogger } from '../../../lib/logger.js';
import type { Plan } from '../../../lib/plan/types.js';
import type { TaskResult } from '../../../lib/report/types.js';
import { runManifest } from '../../../lib/run-manifest.js';
import type { Resume, RunObserver } from '../../../lib/run-types.js';
import { BASE, DS, call, createTask } from '../emulator/helpers.js';
import { routeCount } from '../../helpers/emulator.js';
import { memoryReader, memorySink } from './memory-io.js';

const PROJECT = 'local-project';
const INSTANCE = 'local-instance';
const TARGET = { project_id: PROJECT, instance_id: INSTANCE };
const CRON = '0 30 2 * * ?';
/** A schedule other than the manifest's, as someone set it by hand. */
const PERIOD = { period: 'DAY', dispatch_interval: 1, start_datetime: 1_700_000_000_000, use_quartz_cron: false };
/** The detail of the TIMING task, exactly as the emulator helper `createTask` sends it. */
const DETAIL = '{ targetSelectedDatasource: { targetTable: T } }';

/** Two plain tasks, then a TIMING task with a Quartz schedule that is started. */
const manifest = (onExists: 'skip' | 'update' = 'skip') => `version: 1
options: { on_exists: ${onExists} }
defaults:
  task_type: REALTIME
  source_datasource: ${DS.crmApi}
  target_datasource: ${DS.example}
tasks:
  - name: rs-orders
    detail: { targetSelectedDatasource: { targetTable: ORDERS } }
  - name: rs-payments
    detail: { targetSelectedDatasource: { targetTable: PAYMENTS } }
  - name: rs-stock
    task_type: TIMING
    schedule: { cron: "${CRON}" }
    start: true
    detail: ${DETAIL}
`;
const NAMES = ['rs-orders', 'rs-payments', 'rs-stock'];

/** A final result of an earlier invocation for task `index`. */
const earlier = (index: number): TaskResult => ({
  index,
  name: NAMES[index],
  status: 'created',
  attempts: 1,
  line: 0,
  target: TARGET,
  task_id: `earlier-${index}`,
});

/** Invocation `invocation` of a run whose earlier invocations settled the first two tasks. */
const resume = (invocation: number): Resume => ({
  runId: '20260301T080000Z-5e5e5e',
  startedAt: new Date('2026-03-01T08:00:00Z'),
  invocation,
  results: invocation > 1 ? [earlier(0), earlier(1)] : [],
  stats: { requests: 3, retries: 0, throttled: 0 },
  notes: [],
});

describe('a task found existing under on_exists: skip', () => {
  let emu: Emulator;
  let config: Config;
  let sink: ReturnType<typeof memorySink>;
  let plans: Plan[];

  beforeAll(async () => {
    emu = await startEmulator({ port: 0 });
    config = loadConfig({
      FDI_ENDPOINT: emu.url,
      FDI_AUTH_TOKEN: 'local-token',
      FDI_PROJECT_ID: PROJECT,
      FDI_INSTANCE_ID: INSTANCE,
      FDI_RATE: '200',
    });
  });
  afterAll(() => emu.close());
  beforeEach(() => {
    emu.reset();
    emu.configure({ latencyMs: 0 });
    sink = memorySink('resumed');
    plans = [];
  });

  const apply = (text: string, extra: { resume?: Resume; planned?: RunObserver['planned'] } = {}) => {
    const observer: RunObserver = {
      planned: (plan, compiled) => {
        plans.push(plan);
        extra.planned?.(plan, compiled);
      },
    };
    return runManifest(
      { mode: 'apply', config, sink, observer, resume: extra.resume },
      { reader: memoryReader('resumed', text), fdi: connectFdi, logger: silentLogger() },
    );
  };

  /** The stored rs-stock task. */
  const stock = () => emu.tasks(PROJECT, INSTANCE).find((t) => t.task_name === 'rs-stock');

  describe('in a later invocation of a run (resume.invocation > 1)', () => {
    it('a stopped task without a schedule: the schedule is created and the task started', async () => {
      const id = await createTask(emu.url, 'rs-stock');
      expect(stock()).toMatchObject({ status: 'stop' });
      expect(stock()?.dispatch).toBeUndefined();

      const outcome = await apply(manifest(), { resume: resume(2) });

      expect(plans).toHaveLength(1);
      const entries = plans[0].entries;
      expect(entries.map((e) => e.action)).toEqual(['skip', 'skip', 'skip']);
      expect(entries[0].reason).toBe('settled by an earlier invocation of this run');
      expect(entries[2]).toMatchObject({
        action: 'skip',
        schedule: 'ensure',
        startAction: 'start',
        existing: { task_id: id, status: 0 },
      });
      expect(outcome.plan?.entries[2]).toEqual(entries[2]);

      // What FDI holds: the manifest's schedule, and the task running; nothing was created.
      expect(stock()).toMatchObject({
        task_id: id,
        status: 'running',
        dispatch: expect.objectContaining({ use_quartz_cron: true, cron: CRON }),
      });
      // Only the setup's create reached POST /tasks.
      expect(emu.stats().createAttempts).toEqual({ 'rs-stock': 1 });
      expect(routeCount(emu, 'POST /tasks/{task_id}/dispatches')).toBe(1);
      expect(routeCount(emu, 'POST /batch-operation/tasks')).toBe(1);

      expect(sink.reports).toHaveLength(1);
      const report = sink.reports[0];
      expect(report.status).toBe('succeeded');
      expect(report.run_id).toBe('20260301T080000Z-5e5e5e');
      expect(report.counts).toMatchObject({ total: 3, created: 2, existing: 1, failed: 0 });
      expect(report.tasks[2]).toMatchObject({
        name: 'rs-stock',
        status: 'existing',
        task_id: id,
        scheduled: true,
        schedule: 'created',
        started: true,
        start: 'started',
      });
      expect(report.steps).toEqual({ schedules_created: 1, schedules_updated: 0, schedules_unchanged: 0, started: 1 });
    });

    it('a running task with another schedule: the schedule is brought to the manifest, no start is sent', async () => {
      const id = await createTask(emu.url, 'rs-stock');
      expect((await call(emu.url, 'POST', `${BASE}/tasks/${id}/dispatches`, { body: PERIOD })).status).toBe(200);
      const started = await call(emu.url, 'POST', `${BASE}/batch-operation/tasks`, {
        body: { action_id: 'start', list: [{ task_id: id }] },
      });
      expect(started.json).toMatchObject({ success_count: 1 });
      const dispatchId = stock()!.dispatch!.dispatch_id;
      const batchesBefore = routeCount(emu, 'POST /batch-operation/tasks');

      await apply(manifest(), { resume: resume(3) });

      expect(plans[0].entries[2]).toMatchObject({
        action: 'skip',
        schedule: 'ensure',
        startAction: 'running',
        existing: { task_id: id, status: 1 },
      });
      // The one dispatch changed in place (PUT), not a second one posted.
      expect(stock()).toMatchObject({
        status: 'running',
        dispatch: expect.objectContaining({ dispatch_id: dispatchId, use_quartz_cron: true, cron: CRON }),
      });
      expect(routeCount(emu, 'PUT /tasks/{task_id}/dispatches/{dispatch_id}')).toBe(1);
      expect(routeCount(emu, 'POST /batch-operation/tasks')).toBe(batchesBefore);

      const report = sink.reports[0];
      expect(report.tasks[2]).toMatchObject({
        status: 'existing',
        schedule: 'updated',
        started: true,
        start: 'running',
      });
      expect(report.steps).toEqual({ schedules_created: 0, schedules_updated: 1, schedules_unchanged: 0, started: 0 });
    });

    it('a running task holding the manifest schedule already: nothing is written', async () => {
      const id = await createTask(emu.url, 'rs-stock');
      const cron = { use_quartz_cron: true, cron: CRON };
      expect((await call(emu.url, 'POST', `${BASE}/tasks/${id}/dispatches`, { body: cron })).status).toBe(200);
      await call(emu.url, 'POST', `${BASE}/batch-operation/tasks`, {
        body: { action_id: 'start', list: [{ task_id: id }] },
      });
      const before = emu.stats().requests;

      await apply(manifest(), { resume: resume(2) });

      expect(plans[0].entries[2]).toMatchObject({ schedule: 'ensure', startAction: 'running' });
      const after = emu.stats().requests;
      const writes = (r: typeof after) =>
        Object.entries(r)
          .filter(([route]) => !route.startsWith('GET '))
          .map(([route, byStatus]) => [route, Object.values(byStatus).reduce((a, b) => a + b, 0)]);
      expect(writes(after)).toEqual(writes(before));
      expect(sink.reports[0].tasks[2]).toMatchObject({ status: 'existing', schedule: 'unchanged', start: 'running' });
      expect(sink.reports[0].steps).toEqual({
        schedules_created: 0,
        schedules_updated: 0,
        schedules_unchanged: 1,
        started: 0,
      });
    });
  });

  it.each([
    ['without a resume (the command line)', undefined],
    ['as invocation 1 of a run (the trigger, first delivery)', 1],
  ])('in a first invocation, %s: left alone, no schedule, not started', async (_what, invocation) => {
    const id = await createTask(emu.url, 'rs-stock');

    await apply(manifest(), invocation === undefined ? {} : { resume: resume(invocation) });

    expect(plans[0].entries.map((e) => e.action)).toEqual(['create', 'create', 'skip']);
    expect(plans[0].entries[2]).toMatchObject({
      action: 'skip',
      schedule: 'leave',
      startAction: 'leave',
      existing: { task_id: id, status: 0 },
    });
    expect(stock()).toMatchObject({ task_id: id, status: 'stop' });
    expect(stock()?.dispatch).toBeUndefined();
    expect(routeCount(emu, 'POST /tasks/{task_id}/dispatches')).toBe(0);
    expect(routeCount(emu, 'GET /tasks/{task_id}/dispatches')).toBe(0);
    expect(routeCount(emu, 'POST /batch-operation/tasks')).toBe(0);
    // The setup's create of rs-stock, and the run's two.
    expect(emu.stats().createAttempts).toEqual({ 'rs-stock': 1, 'rs-orders': 1, 'rs-payments': 1 });

    const report = sink.reports[0];
    expect(report.status).toBe('succeeded');
    expect(report.tasks[2]).toMatchObject({ status: 'existing', task_id: id });
    expect(report.tasks[2].scheduled).toBeUndefined();
    expect(report.tasks[2].started).toBeUndefined();
    expect(report.steps).toEqual({ schedules_created: 0, schedules_updated: 0, schedules_unchanged: 0, started: 0 });
  });

  describe('a task someone else creates between planning and the create (off the plan)', () => {
    /**
     * When execution starts, the emulator holds the next requests for a while; as soon as the run's
     * create of rs-stock has arrived (and waits), someone else creates rs-stock, with another detail
     * and a schedule of its own, unhindered. The run's create then finds the name taken.
     */
    const raceOnPlanned = () => {
      let race: Promise<string> | undefined;
      const planned = () => {
        emu.configure({ latencyMs: 800 });
        race = (async () => {
          const until = Date.now() + 5_000;
          while (!emu.stats().createAttempts['rs-stock']) {
            if (Date.now() > until) throw new Error('the run never sent its create of rs-stock');
            await new Promise((resolve) => setTimeout(resolve, 2));
          }
          emu.configure({ latencyMs: 0 });
          const id = await createTask(emu.url, 'rs-stock');
          const d = await call(emu.url, 'POST', `${BASE}/tasks/${id}/dispatches`, { body: PERIOD });
          if (d.status !== 200) throw new Error(`dispatch: ${d.status} ${d.text}`);
          return id;
        })();
        // Awaited by the test; a failure before then is not an unhandled rejection.
        race.catch(() => undefined);
      };
      return { planned, id: () => race! };
    };

    /** One TIMING task, scheduled and started: planned as a create. */
    const single = (onExists: 'skip' | 'update') => `version: 1
options: { on_exists: ${onExists} }
tasks:
  - name: rs-stock
    task_type: TIMING
    source_datasource: ${DS.crmApi}
    target_datasource: ${DS.example}
    schedule: { cron: "${CRON}" }
    start: true
    detail: { targetSelectedDatasource: { targetTable: MANIFEST } }
`;

    it.each([
      ['skip', 'existing'],
      ['update', 'updated'],
    ] as const)(
      'on_exists: %s: the schedule is looked for first (ensure), then set; the task started',
      async (onExists, status) => {
        const race = raceOnPlanned();

        await apply(single(onExists), { planned: race.planned });
        const id = await race.id();

        expect(plans[0].entries[0]).toMatchObject({ action: 'create', schedule: 'create', startAction: 'start' });
        const stats = emu.stats();
        expect(stats.createAttempts).toEqual({ 'rs-stock': 2 });
        expect(stats.createsCommitted).toEqual({ 'rs-stock': 1 });
        expect(stats.tasksStored).toBe(1);
        // Looked for and found (a planned `create` would have POSTed a second dispatch, which FDI refuses).
        expect(routeCount(emu, 'GET /tasks/{task_id}/dispatches')).toBe(1);
        expect(routeCount(emu, 'POST /tasks/{task_id}/dispatches')).toBe(1); // someone else's
        expect(routeCount(emu, 'PUT /tasks/{task_id}/dispatches/{dispatch_id}')).toBe(1);
        const stored = stock()!;
        expect(stored).toMatchObject({
          task_id: id,
          status: 'running',
          dispatch: expect.objectContaining({ use_quartz_cron: true, cron: CRON }),
        });
        // Under update the task itself is brought to the manifest; under skip its definition stays.
        expect(JSON.parse(stored.task_detail)).toEqual({
          targetSelectedDatasource: { targetTable: onExists === 'update' ? 'MANIFEST' : 'T' },
        });

        const report = sink.reports[0];
        expect(report.status).toBe('succeeded');
        expect(report.tasks[0]).toMatchObject({
          status,
          task_id: id,
          scheduled: true,
          schedule: 'updated',
          started: true,
          start: 'started',
          note: expect.stringContaining('created by someone else after planning'),
        });
        expect(report.steps).toEqual({
          schedules_created: 0,
          schedules_updated: 1,
          schedules_unchanged: 0,
          started: 1,
        });
      },
    );
  });
});
