/**
 * apply --verify through the CLI against the emulator's simulated executions (docs/VERIFY.md): failed
 * executions are named with FDI's remark and listed first, the exit code follows the verified wave, a
 * deadline shorter than the executions ends in seconds with `running` / `not yet run` rows, and the
 * manifest's options.verify works without the flag.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { executionOutcome, failureRemark } from '../../../emulator/index.js';
import { bulkManifest, latestLocalReport, reportFolder, runCli, writeManifest } from '../../helpers/cli.js';
import { useEmulator } from '../../helpers/emulator.js';
import { timingManifest } from './timing-manifest.js';

const names = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(4, '0')}`);

/** The first seed from `from` under which 10% of these names' first executions fail at least `min` of them. */
function seedFailing(taskNames: string[], min: number, from = 1): { seed: number; failing: string[] } {
  for (let seed = from; ; seed++) {
    const failing = taskNames.filter((n) => executionOutcome(seed, 0.1, n, 1).fails);
    if (failing.length >= min) return { seed, failing };
  }
}

describe('apply --verify', () => {
  const fx = useEmulator('fdi-verify-', { executionMs: 400 }, { FDI_RATE: '200' });

  it('names each failed execution with its remark, lists them first, and exits 1', async () => {
    const n = 20;
    const { seed, failing } = seedFailing(names('vf-a', n), 2);
    fx.emu.configure({ executionFailShare: 0.1, executionSeed: seed, executionMs: 400 });
    const file = await writeManifest(fx.dir, 'a.yaml', timingManifest(n, { prefix: 'vf-a' }));
    const reports = path.join(fx.dir, 'reports');
    const t0 = Date.now();
    const res = await runCli(['apply', file, '--report', reports, '--verify', '30'], { env: fx.env });
    expect(res.stderr).not.toMatch(/\n\s+at /);
    expect(res.code).toBe(1);
    expect(Date.now() - t0).toBeLessThan(20_000);
    const report = await latestLocalReport(reports, file);
    expect(report.status).toBe('succeeded');
    expect(report.verify).toMatchObject({
      timeout_s: 30,
      ended: 'settled',
      tasks: n,
      healthy: false,
      counts: { succeeded: n - failing.length, failed: failing.length, running: 0, 'not yet run': 0 },
    });
    const failed = report.tasks.filter((t) => t.execution?.state === 'failed');
    expect(failed.map((t) => t.name).sort()).toEqual([...failing].sort());
    for (const t of failed) {
      const o = executionOutcome(seed, 0.1, t.name, 1);
      expect(t.execution).toMatchObject({
        execute_status: 'ERROR',
        healthy: false,
        remarks: failureRemark({ outcome: o }),
        dirty_data_count: o.dirtyDataCount,
        data_count: o.dataCount,
      });
      expect(res.stderr).toContain(`failed execution: ${t.name}: ${failureRemark({ outcome: o })}`);
    }
    for (const t of report.tasks.filter((x) => x.execution?.state !== 'failed'))
      expect(t.execution).toMatchObject({ state: 'succeeded', execute_status: 'SUCCESS', healthy: true });
    // summary.md: the failed executions come first, with their remarks; tasks.csv has the column.
    const runDir = path.join(reportFolder(reports, file), report.run_id);
    const summary = await readFile(path.join(runDir, 'summary.md'), 'utf8');
    const at = summary.indexOf('## Failed executions');
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(summary.indexOf('| total |'));
    for (const name of failing) expect(summary).toContain(`\`${name}\``);
    expect(summary).toContain('Simulated failure: the target rejected');
    const rows = parse(await readFile(path.join(runDir, 'tasks.csv'), 'utf8'), { columns: true }) as Array<
      Record<string, string>
    >;
    expect(
      rows
        .filter((r) => r.execution === 'failed')
        .map((r) => r.name)
        .sort(),
    ).toEqual([...failing].sort());
    expect(rows.filter((r) => r.execution === 'succeeded')).toHaveLength(n - failing.length);
    expect(rows.find((r) => r.execution === 'failed')?.execution_remarks).toMatch(/^Simulated failure/);
  });

  it('exits 0 when every verified execution succeeded; a running REALTIME stream is healthy', async () => {
    fx.emu.configure({ executionFailShare: 0, executionMs: 300 });
    const timing = await writeManifest(fx.dir, 'ok.yaml', timingManifest(5, { prefix: 'vf-ok' }));
    const reports = path.join(fx.dir, 'reports');
    const res = await runCli(['apply', timing, '--report', reports, '--verify=20'], { env: fx.env });
    expect(res.stderr).not.toMatch(/\n\s+at /);
    expect(res.code).toBe(0);
    expect((await latestLocalReport(reports, timing)).verify).toMatchObject({ healthy: true, ended: 'settled' });

    // Started REALTIME tasks: their streams run; after a third of the timeout they count as settled.
    const streams = await writeManifest(fx.dir, 'rt.yaml', bulkManifest(4, { prefix: 'vf-rt', start: true }));
    const t0 = Date.now();
    const rt = await runCli(['apply', streams, '--report', reports, '--verify', '6'], { env: fx.env });
    expect(rt.code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(15_000);
    const report = await latestLocalReport(reports, streams);
    expect(report.verify).toMatchObject({ tasks: 4, healthy: true, counts: { running: 4 } });
    expect(report.tasks.every((t) => t.execution?.state === 'running' && t.execution.healthy)).toBe(true);
  });

  it('a deadline shorter than the executions ends in seconds with running and not-yet-run rows, exit 1', async () => {
    fx.emu.configure({ executionFailShare: 0, executionMs: 20_000 });
    // Two run now (their executions outlast the deadline); two are started TIMING tasks waiting for their schedule.
    const text = timingManifest(2, { prefix: 'vf-slow' }).replace(
      'tasks:\n',
      'tasks:\n  - { name: "vf-wait-${n}", template: t, run_now: false, start: true, matrix: { n: ["0000", "0001"] } }\n',
    );
    const file = await writeManifest(fx.dir, 'slow.yaml', text);
    const reports = path.join(fx.dir, 'reports');
    const t0 = Date.now();
    const res = await runCli(['apply', file, '--report', reports, '--verify', '2'], { env: fx.env });
    const took = Date.now() - t0;
    expect(res.stderr).not.toMatch(/\n\s+at /);
    expect(res.code).toBe(1);
    expect(took).toBeLessThan(10_000);
    const report = await latestLocalReport(reports, file);
    expect(report.verify).toMatchObject({
      timeout_s: 2,
      ended: 'deadline',
      healthy: false,
      counts: { running: 2, 'not yet run': 2, succeeded: 0, failed: 0 },
    });
    const state = Object.fromEntries(report.tasks.map((t) => [t.name, t.execution?.state]));
    expect(state).toEqual({
      'vf-wait-0000': 'not yet run',
      'vf-wait-0001': 'not yet run',
      'vf-slow-0000': 'running',
      'vf-slow-0001': 'running',
    });
  });

  it('options.verify in the manifest verifies without the flag; a bad --verify is refused', async () => {
    fx.emu.configure({ executionFailShare: 0, executionMs: 200 });
    const file = await writeManifest(
      fx.dir,
      'opt.yaml',
      timingManifest(2, { prefix: 'vf-opt', extra: 'options: { verify: 20 }' }),
    );
    const reports = path.join(fx.dir, 'reports');
    const res = await runCli(['apply', file, '--report', reports], { env: fx.env });
    expect(res.code).toBe(0);
    expect((await latestLocalReport(reports, file)).verify).toMatchObject({ timeout_s: 20, tasks: 2, healthy: true });
    const bad = await runCli(['apply', file, '--report', reports, '--verify', '0'], { env: fx.env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--verify takes a whole number of seconds from 1 to 3600/);
    // The manifest given after --verify is not taken for the seconds: a usage error that says how to write it.
    const swapped = await runCli(['apply', '--verify', file, '--report', reports], { env: fx.env });
    expect(swapped.code).toBe(1);
    expect(swapped.stderr).toMatch(/after the manifest or as --verify=SECONDS/);
  });
});
