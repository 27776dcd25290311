/**
 * A run stopped from outside (SIGINT or SIGTERM on the command line) ends like any other stopped run:
 * requests waiting for their slot or a retry end as aborted calls, the report is written with every
 * task once (status aborted, exit 3), nothing is created twice, and a re-run finishes the rest.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index.js';
import { STACK_TRACE } from '../../reliability/process.js';
import { bulkManifest, runCli, startCli, tempDir, writeManifest, latestLocalReport } from '../../helpers/cli.js';

const N = 40;

describe('a run interrupted by a signal', () => {
  let emu: Emulator;
  let dir: string;
  beforeAll(async () => {
    emu = await startEmulator({ faults: { 500: 0.2 }, seed: 7 });
    dir = await tempDir('fdi-interrupt-');
  });
  afterAll(() => emu.close());

  it.each(['SIGINT', 'SIGTERM'] as const)(
    '%s: exit 3, a report with every task once, nothing twice; a re-run finishes',
    async (sig) => {
      emu.reset();
      const name = `stopped-${sig.toLowerCase()}`;
      const manifest = await writeManifest(dir, `${name}.yaml`, bulkManifest(N, { prefix: name }));
      const reports = path.join(dir, 'reports');
      const env = { FDI_ENDPOINT: emu.url, FDI_AUTH_TOKEN: 'local-token', FDI_INSTANCE_ID: 'local-instance' };
      // 4 requests a second with 500s to retry: the signal finds requests waiting for a slot and a retry.
      const { child, done } = startCli(['apply', manifest, '--report', reports, '--rate', '4'], { env });
      while (Object.keys(emu.stats().createsCommitted).length < 3) await new Promise((r) => setTimeout(r, 50));
      child.kill(sig);
      const run = await done;
      expect(run.code, run.stderr).toBe(3);
      expect(run.stderr).not.toMatch(/internal error/i);
      expect(run.stderr).not.toMatch(STACK_TRACE);

      const report = await latestLocalReport(reports, manifest);
      expect(report.status).toBe('aborted');
      expect(report.reason).toMatch(/interrupted/);
      expect(report.tasks.map((t) => t.index)).toEqual(Array.from({ length: N }, (_, i) => i));
      expect(report.counts.total).toBe(N);
      expect(report.counts.not_attempted).toBeGreaterThan(0);
      const committed = emu.stats().createsCommitted;
      expect(Object.values(committed).every((n) => n === 1)).toBe(true);
      // Every task the report calls created is stored under the reported ID.
      const stored = new Map(emu.tasks().map((t) => [t.task_name, t.task_id]));
      for (const t of report.tasks.filter((r) => r.status === 'created')) expect(stored.get(t.name)).toBe(t.task_id);

      const again = await runCli(['apply', manifest, '--report', reports, '--rate', '50'], { env });
      expect(again.code, again.stderr).toBe(0);
      expect(emu.tasks().filter((t) => t.task_name.startsWith(`${name}-`))).toHaveLength(N);
      expect(Object.values(emu.stats().createsCommitted).every((n) => n === 1)).toBe(true);
    },
  );
});
