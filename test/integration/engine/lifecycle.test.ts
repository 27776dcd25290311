/**
 * Schedules and starts after create (idempotent on re-runs), the failure threshold (exit 3, the rest
 * not attempted), failed.yaml accepted as is to finish what failed, and on_exists: update applied.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index.js';
import {
  ROOT,
  bulkManifest,
  latestLocalReport,
  reportFolder,
  runCli,
  tempDir,
  writeManifest,
} from '../../helpers/cli.js';

/** The latest report of the manifest `name`.yaml in `dir` (its folder is its path: docs/ARCHITECTURE.md). */
const latest = (dir: string, name: string) => latestLocalReport(dir, path.join(dir, `${name}.yaml`));

describe('task lifecycle', () => {
  let emu: Emulator;
  let dir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    emu = await startEmulator({ instances: ['local-instance', 'local-instance-2'] });
    dir = await tempDir();
    env = { FDI_ENDPOINT: emu.url, FDI_AUTH_TOKEN: 'local-token', FDI_RATE: '200' };
  });
  afterAll(() => emu.close());
  beforeEach(() => {
    emu.reset();
    emu.configure({ faults: {} });
  });

  it('creates the schedule of TIMING tasks and starts them in batches; a re-run changes nothing', async () => {
    const example = path.join(ROOT, 'manifests/examples/timing-scheduled.yaml');
    const first = await runCli(['apply', example, '--report', dir], { env });
    expect(first.code).toBe(0);
    const tasks = emu.tasks();
    expect(tasks.map((t) => t.task_name).sort()).toEqual(['orders-nightly', 'stock-hourly']);
    for (const t of tasks) {
      expect(t.status).toBe('running');
      expect(t.dispatch).toBeDefined();
    }
    const nightly = tasks.find((t) => t.task_name === 'orders-nightly')!;
    expect(nightly.dispatch).toMatchObject({ use_quartz_cron: true, cron: '0 30 2 * * ?' });
    const report = await latestLocalReport(dir, example);
    expect(report.tasks.every((t) => t.scheduled && t.started)).toBe(true);
    const before = emu.stats().requests;
    const again = await runCli(['apply', example, '--report', dir], { env });
    expect(again.code).toBe(0);
    const after = emu.stats().requests;
    for (const route of ['POST /tasks', 'POST /tasks/{task_id}/dispatches', 'POST /batch-operation/tasks']) {
      const sum = (r: Record<string, Record<string, number>>) =>
        Object.entries(r)
          .filter(([k]) => k === route)
          .flatMap(([, v]) => Object.values(v))
          .reduce((a, b) => a + b, 0);
      expect(sum(before), route).toBeGreaterThan(0);
      expect(sum(after), route).toBe(sum(before));
    }
    expect((await latestLocalReport(dir, example)).counts).toMatchObject({ existing: 2, created: 0 });
  });

  it('starts many tasks with at most 10 IDs per batch call', async () => {
    const m = await writeManifest(
      dir,
      'starts.yaml',
      bulkManifest(35, { prefix: 'st', start: true, instances: ['local-instance', 'local-instance-2'] }),
    );
    const res = await runCli(['apply', m, '--report', dir], { env });
    expect(res.code).toBe(0);
    expect(emu.tasks().every((t) => t.status === 'running')).toBe(true);
    const batch = emu.stats().requests['POST /batch-operation/tasks'] ?? {};
    const calls = Object.values(batch).reduce((a, b) => a + b, 0);
    expect(calls).toBeGreaterThanOrEqual(4);
    expect(calls).toBeLessThan(35);
  });

  it('stops at the failure threshold: exit 3, the rest not attempted, the report written', async () => {
    // The instance accepts one task; every other create is refused with a 400 (not retried).
    emu.configure({ maxTasks: 1 });
    const m = await writeManifest(
      dir,
      'threshold.yaml',
      bulkManifest(200, {
        prefix: 'th',
        extra: 'options: { max_attempts: 1, failure_threshold: { percent: 50, min_attempted: 10 } }',
      }),
    );
    const res = await runCli(['apply', m, '--concurrency', '2', '--report', dir], { env });
    expect(res.code).toBe(3);
    const report = await latest(dir, 'threshold');
    expect(report.status).toBe('aborted');
    expect(report.reason).toMatch(/50%/);
    expect(report.counts.failed).toBeGreaterThanOrEqual(10);
    expect(report.counts.not_attempted).toBeGreaterThan(100);
    expect(report.counts.total).toBe(200);
    expect(emu.stats().tasksStored).toBe(1);
    emu.configure({ maxTasks: 1000 });
  });

  it('failed.yaml is accepted as is and finishes what failed', async () => {
    emu.configure({ faults: { '500': 0.5 }, seed: 11 });
    const m = await writeManifest(
      dir,
      'partial.yaml',
      bulkManifest(40, {
        prefix: 'pa',
        extra: 'options: { max_attempts: 1, failure_threshold: { percent: 100, min_attempted: 1000 } }',
      }),
    );
    const first = await runCli(['apply', m, '--report', dir], { env });
    expect(first.code).toBe(1);
    const report = await latest(dir, 'partial');
    expect(report.status).toBe('partial');
    const failedNames = report.tasks
      .filter((t) => t.status === 'failed')
      .map((t) => t.name)
      .sort();
    expect(failedNames.length).toBeGreaterThan(0);
    const failedYaml = path.join(reportFolder(dir, m), report.run_id, 'failed.yaml');
    const text = await readFile(failedYaml, 'utf8');
    expect(text).toMatch(/^# Tasks that failed/);
    emu.configure({ faults: {} });
    const validate = await runCli(['validate', failedYaml]);
    expect(validate.code).toBe(0);
    const second = await runCli(['apply', failedYaml, '--report', dir], { env });
    expect(second.code).toBe(0);
    // The retry's report goes with the run it retries (#11.5): the same folder, and it says so.
    const rerun = await latest(dir, 'partial');
    expect(rerun.retry_of).toEqual({
      manifest: m,
      run_id: report.run_id,
      path: path.relative(dir, reportFolder(dir, m)),
    });
    expect(rerun.tasks.map((t) => t.name).sort()).toEqual(failedNames);
    expect(rerun.counts.created).toBe(failedNames.length);
    expect(emu.stats().tasksStored).toBe(40);
    // The re-created tasks carry exactly the body the first run rendered.
    const bodies = new Set(emu.tasks().map((t) => t.task_detail));
    expect(bodies.size).toBe(40);
  });

  it('on_exists: update leaves identical tasks alone and updates the ones that differ', async () => {
    const v1 = await writeManifest(
      dir,
      'upd.yaml',
      bulkManifest(6, { prefix: 'up', extra: 'options: { on_exists: update }' }),
    );
    expect((await runCli(['apply', v1, '--report', dir], { env })).code).toBe(0);
    expect((await runCli(['apply', v1, '--report', dir], { env })).code).toBe(0);
    expect((await latest(dir, 'upd')).counts).toMatchObject({ existing: 6, updated: 0, created: 0 });
    expect(emu.stats().requests['PUT /tasks/{task_id}']).toBeUndefined();
    const v2 = await writeManifest(
      dir,
      'upd.yaml',
      bulkManifest(6, { prefix: 'up', extra: 'options: { on_exists: update }' }).replace(
        '"CDC.T_${n}"',
        '"CDC.U_${n}"',
      ),
    );
    expect((await runCli(['apply', v2, '--report', dir], { env })).code).toBe(0);
    expect((await latest(dir, 'upd')).counts).toMatchObject({ updated: 6, existing: 0, created: 0 });
    const changed = emu.tasks().find((t) => t.task_name === 'up-0-0002')!;
    expect(JSON.parse(changed.task_detail)).toEqual({ targetSelectedDatasource: { targetTable: 'CDC.U_0002' } });
  });
});
