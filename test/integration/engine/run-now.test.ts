/**
 * run_now through the CLI against the emulator (docs/MANIFEST.md): one execution per TIMING task this
 * run creates or updates, exactly once under faults (500-after-commit included), and none for a task
 * the run only found.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { latestLocalReport, runCli, writeManifest } from '../../helpers/cli.js';
import { routeCount, useEmulator } from '../../helpers/emulator.js';
import { timingManifest } from './timing-manifest.js';

const names = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(4, '0')}`);

describe('run_now', () => {
  const fx = useEmulator(
    'fdi-run-now-',
    { executionMs: 200, seed: 11, hangMs: 1500 },
    { FDI_TIMEOUT_MS: '500', FDI_RATE: '200' },
  );

  it('triggers one execution of each TIMING task it creates, and reports it', async () => {
    const file = await writeManifest(fx.dir, 'plain.yaml', timingManifest(12, { prefix: 'rn-plain' }));
    const reports = path.join(fx.dir, 'reports');
    const res = await runCli(['apply', file, '--report', reports], { env: fx.env });
    expect(res.stderr).not.toMatch(/\n\s+at /);
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/12 runs triggered/);
    const started = fx.emu.stats().executionsStarted;
    for (const name of names('rn-plain', 12)) expect(started[name]).toBe(1);
    const report = await latestLocalReport(reports, file);
    expect(report.steps.runs_triggered).toBe(12);
    expect(report.tasks.every((t) => t.run === 'triggered')).toBe(true);

    // A re-run finds them (on_exists: skip) and runs none of them again.
    const again = await runCli(['apply', file, '--report', reports], { env: fx.env });
    expect(again.code).toBe(0);
    for (const name of names('rn-plain', 12)) expect(fx.emu.stats().executionsStarted[name]).toBe(1);
    const second = await latestLocalReport(reports, file);
    expect(second.steps.runs_triggered).toBeUndefined();
    expect(second.tasks.every((t) => t.status === 'existing' && t.run === undefined)).toBe(true);
  });

  it('triggers each run exactly once under faults, 500-after-commit included', async () => {
    fx.emu.configure({
      faults: { '500-after-commit': 0.15, '500': 0.05, '503': 0.05, reset: 0.05, '429': 0.03, hang: 0.03 },
    });
    try {
      const n = 40;
      const file = await writeManifest(fx.dir, 'faults.yaml', timingManifest(n, { prefix: 'rn-fault' }));
      const reports = path.join(fx.dir, 'reports');
      const res = await runCli(['apply', file, '--report', reports], {
        env: { ...fx.env, FDI_MAX_ATTEMPTS: '12' },
      });
      expect(res.stderr).not.toMatch(/\n\s+at /);
      expect(res.code).toBe(0);
      const stats = fx.emu.stats();
      expect(routeCount(fx.emu, 'POST /tasks/{task_id}/run')).toBeGreaterThan(n);
      expect(stats.requests['POST /tasks/{task_id}/run']?.['500']).toBeGreaterThan(0);
      for (const name of names('rn-fault', n)) expect(stats.executionsStarted[name]).toBe(1);
      const report = await latestLocalReport(reports, file);
      expect(report.counts).toMatchObject({ total: n, created: n, failed: 0 });
      expect(report.steps.runs_triggered).toBe(n);
      expect(
        report.tasks.filter((t) => /monitor logs|FDI says it runs|on a retry/.test(t.note ?? '')).length,
      ).toBeGreaterThan(0);
    } finally {
      fx.emu.configure({ faults: {} });
    }
  });

  it('runs a task it updates, and leaves the one it finds unchanged alone', async () => {
    const reports = path.join(fx.dir, 'reports');
    const base = timingManifest(2, { prefix: 'rn-upd', extra: 'options: { on_exists: update }' });
    const file = await writeManifest(fx.dir, 'upd.yaml', base);
    expect((await runCli(['apply', file, '--report', reports], { env: fx.env })).code).toBe(0);
    // Let the first executions end, then change one task's detail.
    await new Promise((r) => setTimeout(r, 300));
    const changed = base.replace(
      '  - { name: "rn-upd-${n}", template: t, matrix: { n: ["0000", "0001"] } }',
      '  - { name: rn-upd-0000, template: t, vars: { n: "0000" }, description: changed }\n' +
        '  - { name: rn-upd-0001, template: t, vars: { n: "0001" } }',
    );
    expect(changed).not.toBe(base);
    await writeManifest(fx.dir, 'upd.yaml', changed);
    const res = await runCli(['apply', file, '--report', reports], { env: fx.env });
    expect(res.stderr).not.toMatch(/\n\s+at /);
    expect(res.code).toBe(0);
    const report = await latestLocalReport(reports, file);
    expect(report.tasks.map((t) => [t.status, t.run])).toEqual([
      ['updated', 'triggered'],
      ['existing', undefined],
    ]);
    expect(fx.emu.stats().executionsStarted['rn-upd-0000']).toBe(2);
    expect(fx.emu.stats().executionsStarted['rn-upd-0001']).toBe(1);
  });

  it('runs each task it updates exactly once under faults (its earlier executions read first)', async () => {
    const n = 15;
    const reports = path.join(fx.dir, 'reports');
    const base = timingManifest(n, { prefix: 'rn-updf', extra: 'options: { on_exists: update }' });
    const file = await writeManifest(fx.dir, 'updf.yaml', base);
    expect((await runCli(['apply', file, '--report', reports], { env: fx.env })).code).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    await writeManifest(fx.dir, 'updf.yaml', base.replace('targetTable: "T_${n}"', 'targetTable: "T2_${n}"'));
    fx.emu.configure({ faults: { '500-after-commit': 0.2, '500': 0.05, reset: 0.05, hang: 0.03 } });
    try {
      const res = await runCli(['apply', file, '--report', reports], { env: { ...fx.env, FDI_MAX_ATTEMPTS: '12' } });
      expect(res.stderr).not.toMatch(/\n\s+at /);
      expect(res.code).toBe(0);
    } finally {
      fx.emu.configure({ faults: {} });
    }
    const report = await latestLocalReport(reports, file);
    expect(report.counts).toMatchObject({ total: n, updated: n });
    expect(report.steps.runs_triggered).toBe(n);
    expect(report.tasks.some((t) => /monitor logs|FDI says it runs|on a retry/.test(t.note ?? ''))).toBe(true);
    for (const name of names('rn-updf', n)) expect(fx.emu.stats().executionsStarted[name]).toBe(2);
  });
});
