/**
 * Credentials revoked in the middle of a run: the first 401 that survives a refresh stops the run at
 * once. Requests in flight or waiting for their slot end as aborted calls, not as 401s of their own;
 * the report says why, lists every task once, and a re-run with working credentials finishes the rest
 * with nothing created twice.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Emulator } from '../../../emulator/index.js';
import { bulkManifest, latestLocalReport, runCli, startCli, writeManifest } from '../../helpers/cli.js';
import { untilOrEnded, useEmulator } from '../../helpers/emulator.js';
import { expectExactlyOnce, expectReportAccountsForAll } from '../../reliability/helpers.js';
import { bulkNames } from '../../reliability/process.js';

const N = 60;

/** 401 answers the emulator sent, over all routes. */
function unauthorized(emu: Emulator): number {
  return Object.values(emu.stats().requests)
    .map((byStatus) => byStatus['401'] ?? 0)
    .reduce((a, b) => a + b, 0);
}

describe('credentials revoked mid-run', () => {
  const fx = useEmulator('fdi-auth-midrun-', { latencyMs: 20 });

  it('stops at once: exit 3, the reason, every task once, no task blamed for a 401 it did not get', async () => {
    const { emu, env } = fx;
    const names = bulkNames(N, 'revoked');
    const manifest = await writeManifest(fx.dir, 'revoked.yaml', bulkManifest(N, { prefix: 'revoked' }));
    const reports = path.join(fx.dir, 'reports');
    const { done } = startCli(['apply', manifest, '--report', reports, '--rate', '20'], { env });
    await untilOrEnded(() => Object.keys(emu.stats().createsCommitted).length >= 10, done, '10 tasks were created');
    emu.configure({ tokens: [] });
    const run = await done;
    expect(run.code, run.stderr).toBe(3);

    const report = await latestLocalReport(reports, manifest);
    expect(report.status).toBe('aborted');
    expect(report.reason).toMatch(/^authentication failed \(APIGW\.0301/);
    expect(report.tasks.map((t) => t.index)).toEqual(Array.from({ length: N }, (_, i) => i));
    expectReportAccountsForAll(report, names);
    expect(report.counts.not_attempted).toBeGreaterThan(0);
    const stats = emu.stats();
    // Only tasks whose own request was refused carry the 401: the emulator saw a create of that name
    // and stored nothing under it.
    const blamed = report.tasks.filter((t) => t.http_status === 401);
    expect(blamed.length).toBeGreaterThan(0);
    expect(blamed.length).toBeLessThanOrEqual(unauthorized(emu));
    for (const t of blamed) {
      expect(stats.createAttempts[t.name] ?? 0, t.name).toBeGreaterThan(0);
      expect(stats.createsCommitted[t.name], t.name).toBeUndefined();
    }
    // Every other failed task is a call the stop cut off.
    const others = report.tasks.filter((t) => t.status === 'failed' && t.http_status !== 401);
    for (const t of others) expect(t.error_code, `${t.name}: ${t.error_msg}`).toBe('ABORTED');
    expect(Object.values(stats.createsCommitted).every((n) => n === 1)).toBe(true);

    emu.configure({ tokens: ['local-token'] });
    const again = await runCli(['apply', manifest, '--report', reports], { env });
    expect(again.code, again.stderr).toBe(0);
    expect(emu.tasks()).toHaveLength(N);
    expect(Object.values(emu.stats().createsCommitted).every((n) => n === 1)).toBe(true);
    expectExactlyOnce(emu, names);
  });
});
