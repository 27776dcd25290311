/**
 * The orchestrator (`runManifest`) driven directly, with its inputs injected: a manifest reader and a
 * report sink that live in memory, and the real FDI emulator on the other side of the real client.
 * What reached FDI is read from the emulator's stats; what the run reported is what the sink got.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index.js';
import { loadConfig, type Config } from '../../../lib/config.js';
import { connectFdi } from '../../../lib/fdi/client/connect.js';
import { silentLogger } from '../../../lib/logger.js';
import type { Report, TaskResult } from '../../../lib/report/types.js';
import { runManifest } from '../../../lib/run-manifest.js';
import type { ApplyRequest, Resume, RunObserver, RunState } from '../../../lib/run-types.js';
import type { ManifestReader } from '../../../lib/storage/manifest-reader.js';
import type { ReportLocation, ReportSink } from '../../../lib/storage/report-sink.js';
import type { Clock } from '../../../lib/types.js';
import { createTask } from '../emulator/helpers.js';
import { routeCount } from '../../helpers/emulator.js';

const URI = 'memory://wave1.yaml';
const PROJECT = 'local-project';
const INSTANCE = 'local-instance';

/**
 * Four tasks on the configured target: data sources by ID and by name (`crm-api` is a substring of
 * `crm-api-v2`), and one TIMING task scheduled and started.
 */
const WAVE1 = `version: 1
defaults:
  task_type: REALTIME
  source_datasource: 30969b205e8f4392a25fb321112d1753
  target_datasource: { name: oracle-cdc }
tasks:
  - name: wave1-orders
    detail: { targetSelectedDatasource: { targetTable: CDC.ORDERS } }
  - name: wave1-payments
    source_datasource: { name: crm-api }
    detail: { targetSelectedDatasource: { targetTable: CDC.PAYMENTS } }
  - name: wave1-stock
    task_type: TIMING
    target_datasource: { name: mysql-orders }
    schedule: { cron: "0 30 2 * * ?" }
    start: true
    detail: { targetSelectedDatasource: { targetTable: STOCK } }
  - name: wave1-ledger
    detail: { targetSelectedDatasource: { targetTable: CDC.LEDGER } }
`;
const NAMES = ['wave1-orders', 'wave1-payments', 'wave1-stock', 'wave1-ledger'];

/** A reader of a manifest held in memory; `undefined` reads as a manifest deleted since its upload. */
function memoryReader(text: string | undefined): ManifestReader {
  return {
    uri: URI,
    read: async () => {
      if (text === undefined) return undefined;
      const body = Buffer.from(text);
      return { uri: URI, size: body.byteLength, body };
    },
  };
}

/** A sink that keeps what it is given, and logs each write into the run's shared event list. */
function memorySink(
  events: string[],
): ReportSink & { writes: Array<{ report: Report; failedYaml?: string | undefined }> } {
  const writes: Array<{ report: Report; failedYaml?: string | undefined }> = [];
  return {
    writes,
    path: 'wave1',
    async write(report, failedYaml): Promise<ReportLocation> {
      events.push('write');
      writes.push({ report, failedYaml });
      return { key: `wave1/${report.run_id}`, location: `memory://reports/wave1/${report.run_id}/` };
    },
  };
}

/** An observer that logs every hook into the event list; `ending` takes a while, to show it is awaited. */
function recordingObserver(events: string[]) {
  const results: Array<{ result: TaskResult; final: boolean }> = [];
  const settles: RunState[] = [];
  const plans: Array<Parameters<NonNullable<RunObserver['planned']>>[0]> = [];
  const observer: RunObserver = {
    planned: (plan) => {
      events.push('planned');
      plans.push(plan);
    },
    result: (result, progress) => {
      events.push(`result ${result.name}`);
      results.push({ result, final: progress.final });
    },
    ending: async (state) => {
      events.push('settled');
      settles.push(state);
      await new Promise((resolve) => setTimeout(resolve, 25));
      events.push('settled done');
    },
  };
  return { observer, results, settles, plans };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('runManifest with an in-memory reader and sink, against the emulator', () => {
  let emu: Emulator;
  let config: Config;
  let events: string[];
  let sink: ReturnType<typeof memorySink>;
  let rec: ReturnType<typeof recordingObserver>;

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
    events = [];
    sink = memorySink(events);
    rec = recordingObserver(events);
  });

  /** One run of `text` (undefined: the manifest is gone), with the sink and observer of the test. */
  const run = (
    text: string | undefined,
    req: Partial<Omit<ApplyRequest, 'mode'>> & { mode?: 'plan' | 'apply' } = {},
    clock?: Clock,
  ) => {
    const deps = { reader: memoryReader(text), fdi: connectFdi, logger: silentLogger(), clock };
    const { mode, ...rest } = req;
    return mode === 'plan'
      ? runManifest({ mode: 'plan', config, observer: rec.observer, ...rest }, deps)
      : runManifest({ mode: 'apply', config, sink, observer: rec.observer, ...rest }, deps);
  };

  it('apply: creates every task once, reports each once, writes one report after settling', async () => {
    const outcome = await run(WAVE1);

    expect(outcome.kind).toBe('finished');
    if (outcome.kind !== 'finished') return;
    expect(sink.writes).toHaveLength(1);
    const { report, failedYaml } = sink.writes[0];
    expect(outcome.report).toBe(report);
    expect(outcome.written).toEqual({
      key: `wave1/${report.run_id}`,
      location: expect.stringContaining(report.run_id),
    });
    expect(failedYaml).toBeUndefined();

    expect(report.status).toBe('succeeded');
    expect(report.manifest).toEqual({ uri: URI, sha256: sha256(WAVE1) });
    expect(report.target).toEqual({ project_id: PROJECT, instance_id: INSTANCE });
    expect(report.counts).toMatchObject({ total: 4, created: 4 });
    expect(report.tasks.map((t) => t.name)).toEqual(NAMES);
    for (const t of report.tasks) {
      expect(t, t.name).toMatchObject({ status: 'created', attempts: 1, task_id: expect.any(String) });
    }
    expect(report.tasks.find((t) => t.name === 'wave1-stock')).toMatchObject({ scheduled: true, started: true });
    expect(new Set(report.tasks.map((t) => t.task_id)).size).toBe(4);

    // What FDI saw: each name sent once and stored once, the right data sources resolved by name.
    const stats = emu.stats();
    expect(stats.createAttempts).toEqual(Object.fromEntries(NAMES.map((n) => [n, 1])));
    expect(stats.createsCommitted).toEqual(Object.fromEntries(NAMES.map((n) => [n, 1])));
    expect(report.stats.requests).toBe(stats.requestsTotal);
    const stored = new Map(emu.tasks(PROJECT, INSTANCE).map((t) => [t.task_name, t]));
    expect(stored.get('wave1-payments')?.source_datasource_id).toBe('6f1c2a0e9b8d4c3ea1f2b3c4d5e6f7a8');
    expect(stored.get('wave1-stock')).toMatchObject({
      status: 'running',
      target_datasource_id: 'c3f9d1e25a7b4f8c8d4e6f8a0b2c4d6e',
      dispatch: expect.objectContaining({ use_quartz_cron: true, cron: '0 30 2 * * ?' }),
    });

    // The hooks: the plan first, one result per task, then settling, awaited before the one write.
    expect(rec.plans).toHaveLength(1);
    expect(rec.plans[0].entries.map((e) => e.action)).toEqual(['create', 'create', 'create', 'create']);
    expect(rec.results.map((r) => r.result.name).sort()).toEqual([...NAMES].sort());
    expect(rec.results.every((r) => r.final)).toBe(true);
    expect(events[0]).toBe('planned');
    expect(events.slice(1, 5).sort()).toEqual(NAMES.map((n) => `result ${n}`).sort());
    expect(events.slice(5)).toEqual(['settled', 'settled done', 'write']);
    // What a checkpoint keeps: the counters, the manifest's hash, the notes and the timeline so far.
    expect(rec.settles).toEqual([
      { stats: report.stats, manifestSha256: sha256(WAVE1), notes: [], timeline: report.timeline },
    ]);
    expect(report.timeline?.done.reduce((a, b) => a + b, 0)).toBe(NAMES.length);
  });

  it('a manifest gone before it is read: a rejected report is written, nothing is sent', async () => {
    const outcome = await run(undefined);

    expect(outcome).toMatchObject({ kind: 'finished', report: { status: 'rejected' } });
    expect(sink.writes).toHaveLength(1);
    const { report, failedYaml } = sink.writes[0];
    expect(report.reason).toBe(`the manifest ${URI} no longer exists`);
    expect(report.errors).toEqual([{ message: `the manifest ${URI} no longer exists` }]);
    expect(report.tasks).toEqual([]);
    expect(report.stats).toEqual({ requests: 0, retries: 0, throttled: 0 });
    expect(failedYaml).toBeUndefined();
    expect(emu.stats().requestsTotal).toBe(0);
    expect(events).toEqual(['settled', 'settled done', 'write']);
  });

  it('an invalid manifest: a rejected report with located errors is written, nothing is sent', async () => {
    const invalid = WAVE1.replace(
      '  - name: wave1-payments\n',
      '  - name: wave1-payments\n    task_tg: wave_1\n',
    ).replace('  - name: wave1-ledger\n', '  - name: x\n');
    const outcome = await run(invalid);

    expect(outcome).toMatchObject({ kind: 'finished', report: { status: 'rejected' } });
    expect(sink.writes).toHaveLength(1);
    const { report } = sink.writes[0];
    expect(report.reason).toBe(`the manifest has ${report.errors.length} problem(s); nothing was sent`);
    expect(report.errors.length).toBeGreaterThanOrEqual(2);
    const typo = report.errors.find((e) => e.message.includes('task_tg'));
    expect(typo).toMatchObject({ file: URI, line: 10, message: expect.stringContaining('"task_tag"') });
    const short = report.errors.find((e) => e !== typo && e.message.includes('"x"'));
    expect(short).toMatchObject({ file: URI, line: 19 });
    expect(report.errors).toEqual([typo, short]);
    expect(report.tasks).toEqual([]);
    expect(emu.stats().requestsTotal).toBe(0);
    expect(rec.plans).toEqual([]);
  });

  it('plan: no report is written, the plan holds each action, only reads reach FDI', async () => {
    const existingId = await createTask(emu.url, 'wave1-orders');
    const before = emu.stats();
    const withUnknown = `${WAVE1}  - name: wave1-refunds
    target_datasource: { name: oracle }
    detail: { targetSelectedDatasource: { targetTable: CDC.REFUNDS } }
`;
    const outcome = await run(withUnknown, { mode: 'plan' });

    expect(outcome.kind).toBe('finished');
    if (outcome.kind !== 'finished') return;
    expect(sink.writes).toEqual([]);
    expect(rec.settles).toEqual([]);
    expect(outcome.written).toBeUndefined();
    expect(outcome.plan?.entries.map((e) => [e.name, e.action])).toEqual([
      ['wave1-orders', 'skip'],
      ['wave1-payments', 'create'],
      ['wave1-stock', 'create'],
      ['wave1-ledger', 'create'],
      ['wave1-refunds', 'invalid'],
    ]);
    const [orders, , stock, , refunds] = outcome.plan!.entries;
    expect(orders.existing).toEqual({ task_id: existingId, status: 0, modified: expect.any(Number) });
    expect(stock).toMatchObject({ hasSchedule: true, start: true });
    expect(refunds.reason).toMatch(/target data source "oracle" was not found .*did you mean "oracle-cdc"\?/);
    expect(outcome.plan!.blockers).toEqual([expect.stringMatching(/^1 task\(s\) are invalid: "wave1-refunds"/)]);
    expect(outcome.plan!.quota).toEqual([
      { target: { project_id: PROJECT, instance_id: INSTANCE }, existing: 1, creates: 3, limit: 1000 },
    ]);
    // `planned` announces execution (progress starts there); a plan-only run executes nothing (#11.3).
    expect(rec.plans).toEqual([]);

    const after = emu.stats();
    expect(after.createAttempts).toEqual(before.createAttempts);
    expect(after.tasksStored).toBe(1);
    const writes = Object.keys(after.requests).filter((route) => !route.startsWith('GET '));
    expect(writes).toEqual(['POST /tasks']); // the one create of the setup
    expect(routeCount(emu, 'POST /tasks')).toBe(1);
  });

  it('a deadline already passed: the run plans, sends no task, settles and suspends without a report', async () => {
    const deadline = AbortSignal.abort();
    const outcome = await run(WAVE1, { deadline });

    expect(outcome).toEqual({ kind: 'suspended', runId: expect.any(String), stats: expect.any(Object) });
    if (outcome.kind !== 'suspended') return;
    expect(sink.writes).toEqual([]);
    expect(rec.plans).toHaveLength(1);
    expect(rec.results).toEqual([]);
    // The planning reads are in the timeline a later invocation continues; no task is done yet.
    expect(rec.settles).toEqual([
      {
        stats: outcome.stats,
        manifestSha256: sha256(WAVE1),
        notes: [],
        timeline: expect.objectContaining({ step_s: 1 }),
      },
    ]);
    expect(rec.settles[0]?.timeline?.done.every((n) => n === 0)).toBe(true);
    expect(events).toEqual(['planned', 'settled', 'settled done']);
    const stats = emu.stats();
    expect(stats.createAttempts).toEqual({});
    expect(Object.keys(stats.requests).every((route) => route.startsWith('GET '))).toBe(true);
    expect(outcome.stats.requests).toBe(stats.requestsTotal);
  });

  describe('a later invocation of a run (resume)', () => {
    const earlier = (index: number, extra: Partial<TaskResult>): TaskResult => ({
      index,
      name: NAMES[index],
      status: 'created',
      attempts: 1,
      line: 0,
      target: { project_id: PROJECT, instance_id: INSTANCE },
      ...extra,
    });
    const resume = (extra: Partial<Resume> = {}): Resume => ({
      runId: '20260301T080000Z-abc123',
      startedAt: new Date('2026-03-01T08:00:00Z'),
      invocation: 2,
      results: [
        earlier(0, { task_id: 'earlier-0' }),
        earlier(1, { task_id: 'earlier-1', attempts: 2 }),
        // Cut off by the first invocation's stop: its outcome is unknown, so it is done again.
        earlier(2, { status: 'failed', error_code: 'ABORTED', error_msg: 'aborted' }),
      ],
      stats: { requests: 7, retries: 2, throttled: 1 },
      notes: ['A note of the first invocation.'],
      manifestSha256: sha256(WAVE1),
      ...extra,
    });

    it('does not resend what earlier invocations settled; reports every task once, with all the counts', async () => {
      const outcome = await run(WAVE1, { resume: resume() });

      expect(outcome.kind).toBe('finished');
      expect(sink.writes).toHaveLength(1);
      const { report } = sink.writes[0];
      const stats = emu.stats();
      expect(stats.createAttempts).toEqual({ 'wave1-stock': 1, 'wave1-ledger': 1 });
      expect(stats.createsCommitted).toEqual({ 'wave1-stock': 1, 'wave1-ledger': 1 });

      expect(report.run_id).toBe('20260301T080000Z-abc123');
      expect(report.started_at).toBe('2026-03-01T08:00:00.000Z');
      expect(report.status).toBe('succeeded');
      expect(report.counts).toEqual({
        total: 4,
        created: 4,
        updated: 0,
        existing: 0,
        failed: 0,
        invalid: 0,
        not_attempted: 0,
      });
      expect(report.tasks.map((t) => [t.name, t.status, t.task_id])).toEqual([
        ['wave1-orders', 'created', 'earlier-0'],
        ['wave1-payments', 'created', 'earlier-1'],
        ['wave1-stock', 'created', expect.not.stringMatching(/^earlier/)],
        ['wave1-ledger', 'created', expect.not.stringMatching(/^earlier/)],
      ]);
      expect(report.stats).toMatchObject({ requests: 7 + stats.requestsTotal, retries: 2, throttled: 1 });
      expect(report.notes).toEqual(['A note of the first invocation.']);
      expect(rec.plans[0].entries.map((e) => e.action)).toEqual(['skip', 'skip', 'create', 'create']);
      expect(rec.results.map((r) => r.result.name).sort()).toEqual(['wave1-ledger', 'wave1-stock']);
    });

    it('notes a manifest that changed since the earlier invocation', async () => {
      await run(WAVE1, { resume: resume({ manifestSha256: sha256('an earlier version') }) });

      expect(sink.writes).toHaveLength(1);
      expect(sink.writes[0].report.notes).toEqual([
        'A note of the first invocation.',
        'The manifest object changed between invocations of this run; the run continued with the current content.',
      ]);
    });
  });

  it('takes its times from the injected clock', async () => {
    const times = [new Date('2026-05-04T03:02:01Z'), new Date('2026-05-04T03:04:01Z')];
    let calls = 0;
    const clock: Clock = { now: () => times[Math.min(calls++, times.length - 1)] };
    const outcome = await run(WAVE1, {}, clock);

    expect(outcome.kind).toBe('finished');
    expect(sink.writes).toHaveLength(1);
    const { report } = sink.writes[0];
    expect(report.started_at).toBe('2026-05-04T03:02:01.000Z');
    expect(report.finished_at).toBe('2026-05-04T03:04:01.000Z');
    expect(report.duration_ms).toBe(120_000);
    expect(report.run_id).toMatch(/^20260504T030201Z-[0-9a-f]{6}$/);
    expect(report.stats.effective_rate).toBeCloseTo(4 / 120, 2);
  });
});
