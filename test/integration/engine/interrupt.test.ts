/**
 * A run stopped from outside (SIGINT or SIGTERM on the command line) ends like any other stopped run:
 * requests waiting for their slot or a retry end as aborted calls, the report is written with every
 * task once (status aborted, exit 3), nothing is created twice, and a re-run finishes the rest.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bulkManifest, latestLocalReport, runCli, startCli, writeManifest } from '../../helpers/cli.js';
import { untilOrEnded, useEmulator } from '../../helpers/emulator.js';
import { expectExactlyOnce, expectReportAccountsForAll } from '../../reliability/helpers.js';
import { STACK_TRACE, bulkNames } from '../../reliability/process.js';

const N = 40;
const FAULTS = { 500: 0.2 };

describe('a run interrupted by a signal', () => {
  const fx = useEmulator('fdi-interrupt-', { faults: FAULTS, seed: 7 });

  it.each(['SIGINT', 'SIGTERM'] as const)(
    '%s: exit 3, a report with every task once, nothing twice; a re-run finishes',
    async (sig) => {
      const { emu, env } = fx;
      emu.reset();
      emu.configure({ faults: FAULTS });
      const name = `stopped-${sig.toLowerCase()}`;
      const names = bulkNames(N, name);
      const manifest = await writeManifest(fx.dir, `${name}.yaml`, bulkManifest(N, { prefix: name }));
      const reports = path.join(fx.dir, 'reports');
      // 4 requests a second with 500s to retry: the signal finds requests waiting for a slot and a retry.
      const { child, done } = startCli(['apply', manifest, '--report', reports, '--rate', '4'], { env });
      await untilOrEnded(() => Object.keys(emu.stats().createsCommitted).length >= 3, done, '3 tasks were created');
      child.kill(sig);
      const run = await done;
      expect(run.code, run.stderr).toBe(3);
      expect(run.stderr).not.toMatch(/internal error/i);
      expect(run.stderr).not.toMatch(STACK_TRACE);

      const report = await latestLocalReport(reports, manifest);
      expect(report.status).toBe('aborted');
      expect(report.reason).toMatch(/interrupted/);
      expect(report.tasks.map((t) => t.index)).toEqual(Array.from({ length: N }, (_, i) => i));
      expectReportAccountsForAll(report, names);
      expect(report.counts.not_attempted).toBeGreaterThan(0);
      const committed = emu.stats().createsCommitted;
      expect(Object.values(committed).every((n) => n === 1)).toBe(true);
      // Every task the report calls created is stored under the reported ID, and nothing else was
      // stored: at 4 requests a second the signal, sent within a poll of the third commit, comes long
      // before the next create leaves, so no create is in flight when the run stops.
      const created = report.tasks.filter((r) => r.status === 'created');
      expect(created.length).toBeGreaterThan(0);
      expect(created.map((t) => t.name).sort()).toEqual(Object.keys(committed).sort());
      const stored = new Map(emu.tasks().map((t) => [t.task_name, t.task_id]));
      for (const t of created) expect(stored.get(t.name)).toBe(t.task_id);
      // The calls the signal cut off (waiting for their slot or a retry) are aborted calls; a task whose
      // ambiguous 500 was being looked up by name when the stop came is reported unverified.
      const failed = report.tasks.filter((t) => t.status === 'failed');
      expect(failed.filter((t) => t.error_code === 'ABORTED').length).toBeGreaterThan(0);
      for (const t of failed) expect(['ABORTED', 'UNVERIFIED'], `${t.name}: ${t.error_msg}`).toContain(t.error_code);

      // The re-run, without faults: it finishes whatever the interrupted run left.
      emu.configure({ faults: {} });
      const again = await runCli(['apply', manifest, '--report', reports, '--rate', '50'], { env });
      expect(again.code, again.stderr).toBe(0);
      expect(emu.tasks().filter((t) => t.task_name.startsWith(`${name}-`))).toHaveLength(N);
      expect(Object.values(emu.stats().createsCommitted).every((n) => n === 1)).toBe(true);
      expectExactlyOnce(emu, names);
    },
  );
});
