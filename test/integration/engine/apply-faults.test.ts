/**
 * The heart of the product: with every fault kind enabled, every name is created exactly once and the
 * report accounts for every task; re-runs create nothing, or exactly what was deleted.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index.js';
import { bulkManifest, latestLocalReport, reportFolder, runCli, tempDir, writeManifest } from '../../helpers/cli.js';

const N = 500;
const INSTANCES = ['local-instance', 'local-instance-2'];

describe('apply under faults (500 tasks, every fault kind)', () => {
  let emu: Emulator;
  let dir: string;
  let manifest: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    emu = await startEmulator({
      instances: INSTANCES,
      seed: 7,
      hangMs: 2000,
      latencyMs: 2,
      jitterMs: 3,
      faults: {
        '500': 0.05,
        '500-after-commit': 0.05,
        '429': 0.04,
        '502': 0.03,
        '503': 0.03,
        '504': 0.03,
        reset: 0.03,
        hang: 0.02,
      },
    });
    dir = await tempDir();
    manifest = await writeManifest(dir, 'bulk.yaml', bulkManifest(N, { instances: INSTANCES }));
    env = {
      FDI_ENDPOINT: emu.url,
      FDI_AUTH_TOKEN: 'local-token',
      FDI_TIMEOUT_MS: '500',
      FDI_RATE: '400',
      FDI_CONCURRENCY: '16',
      FDI_MAX_ATTEMPTS: '12',
    };
  });
  afterAll(() => emu.close());

  it('creates every name exactly once and reports every task exactly once', async () => {
    const res = await runCli(['apply', manifest, '--report', path.join(dir, 'reports')], { env });
    expect(res.stderr).not.toMatch(/\n\s+at /);
    expect(res.code).toBe(0);
    const stats = emu.stats();
    // Faults really happened, ambiguous ones included.
    for (const kind of ['500', '500-after-commit', '429', '502', '503', '504', 'reset', 'hang'])
      expect(stats.faultsInjected[kind] ?? 0).toBeGreaterThan(0);
    const names = Object.keys(stats.createsCommitted);
    expect(names).toHaveLength(N);
    expect(Object.values(stats.createsCommitted).every((n) => n === 1)).toBe(true);
    expect(stats.tasksStored).toBe(N);
    // Some names were attempted more than once (retries), yet committed once.
    expect(Object.values(stats.createAttempts).some((n) => n > 1)).toBe(true);

    const report = await latestLocalReport(path.join(dir, 'reports'), manifest);
    expect(report.status).toBe('succeeded');
    expect(report.counts).toMatchObject({ total: N, created: N, failed: 0, not_attempted: 0 });
    expect(new Set(report.tasks.map((t) => t.name)).size).toBe(N);
    expect(report.tasks.map((t) => t.index)).toEqual(Array.from({ length: N }, (_, i) => i));
    // The IDs in the report are the IDs the emulator stored.
    const stored = new Map(emu.tasks().map((t) => [t.task_name, t.task_id]));
    for (const t of report.tasks) expect(t.task_id).toBe(stored.get(t.name));
    expect(report.stats.retries).toBeGreaterThan(0);
    // The timeline accounts for every request, retry and result, second by second.
    const timeline = report.timeline!;
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    expect(timeline.start).toBe(report.started_at);
    expect(sum(timeline.accepted) + sum(timeline.throttled) + sum(timeline.failed)).toBe(report.stats.requests);
    expect(sum(timeline.throttled)).toBe(report.stats.throttled);
    expect(sum(timeline.retried)).toBe(report.stats.retries);
    expect(sum(timeline.done)).toBe(N);
    expect(timeline.accepted.length).toBeLessThanOrEqual(Math.ceil(report.duration_ms / 1000) + 1);
    const runDir = path.join(reportFolder(path.join(dir, 'reports'), manifest), report.run_id);
    expect((await readdir(runDir)).sort()).toEqual([
      'report.html',
      'report.json',
      'run.json',
      'summary.md',
      'tasks.csv',
    ]);
  });

  it('a re-run of the same manifest creates nothing and reports all as existing', async () => {
    emu.configure({ faults: {} });
    const before = emu.stats().requests['POST /tasks'] ?? {};
    const res = await runCli(['apply', manifest, '--report', path.join(dir, 'reports')], { env });
    expect(res.code).toBe(0);
    expect(emu.stats().requests['POST /tasks'] ?? {}).toEqual(before);
    const report = await latestLocalReport(path.join(dir, 'reports'), manifest);
    expect(report.counts).toMatchObject({ total: N, created: 0, existing: N });
  });

  it('after deleting some tasks, a run recreates exactly those', async () => {
    const victims = emu.tasks().filter((_, i) => i % 50 === 0);
    for (const t of victims) {
      const r = await fetch(`${emu.url}/v2/${t.project_id}/fdi/instances/${t.instance_id}/tasks/${t.task_id}`, {
        method: 'DELETE',
        headers: { 'X-Auth-Token': 'local-token' },
      });
      expect(r.status).toBe(204);
    }
    const res = await runCli(['apply', manifest, '--report', path.join(dir, 'reports')], { env });
    expect(res.code).toBe(0);
    const report = await latestLocalReport(path.join(dir, 'reports'), manifest);
    expect(report.counts).toMatchObject({ created: victims.length, existing: N - victims.length });
    expect(
      report.tasks
        .filter((t) => t.status === 'created')
        .map((t) => t.name)
        .sort(),
    ).toEqual(victims.map((v) => v.task_name).sort());
    expect(emu.stats().tasksStored).toBe(N);
  });
});
