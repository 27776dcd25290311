/**
 * Credentials revoked in the middle of a run: the first 401 that survives a refresh stops the run at
 * once. Requests in flight or waiting for their slot end as aborted calls, not as 401s of their own;
 * the report says why, lists every task once, and a re-run with working credentials finishes the rest
 * with nothing created twice.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index.js';
import { bulkManifest, runCli, startCli, tempDir, writeManifest, latestLocalReport } from '../../helpers/cli.js';

const N = 60;

/** 401 answers the emulator sent, over all routes. */
function unauthorized(emu: Emulator): number {
  return Object.values(emu.stats().requests)
    .map((byStatus) => byStatus['401'] ?? 0)
    .reduce((a, b) => a + b, 0);
}

describe('credentials revoked mid-run', () => {
  let emu: Emulator;
  let dir: string;
  beforeAll(async () => {
    emu = await startEmulator({ latencyMs: 20 });
    dir = await tempDir('fdi-auth-midrun-');
  });
  afterAll(() => emu.close());

  it('stops at once: exit 3, the reason, every task once, no task blamed for a 401 it did not get', async () => {
    const manifest = await writeManifest(dir, 'revoked.yaml', bulkManifest(N, { prefix: 'revoked' }));
    const reports = path.join(dir, 'reports');
    const env = { FDI_ENDPOINT: emu.url, FDI_AUTH_TOKEN: 'local-token', FDI_INSTANCE_ID: 'local-instance' };
    const { done } = startCli(['apply', manifest, '--report', reports, '--rate', '20'], { env });
    while (Object.keys(emu.stats().createsCommitted).length < 10) await new Promise((r) => setTimeout(r, 20));
    emu.configure({ tokens: [] });
    const run = await done;
    expect(run.code, run.stderr).toBe(3);

    const report = await latestLocalReport(reports, manifest);
    expect(report.status).toBe('aborted');
    expect(report.reason).toMatch(/^authentication failed \(APIGW\.0301/);
    expect(report.tasks.map((t) => t.index)).toEqual(Array.from({ length: N }, (_, i) => i));
    expect(report.counts.not_attempted).toBeGreaterThan(0);
    // Only tasks whose own request was refused carry the 401.
    const blamed = report.tasks.filter((t) => t.http_status === 401);
    expect(blamed.length).toBeGreaterThan(0);
    expect(blamed.length).toBeLessThanOrEqual(unauthorized(emu));
    expect(Object.values(emu.stats().createsCommitted).every((n) => n === 1)).toBe(true);

    emu.configure({ tokens: ['local-token'] });
    const again = await runCli(['apply', manifest, '--report', reports], { env });
    expect(again.code, again.stderr).toBe(0);
    expect(emu.tasks()).toHaveLength(N);
    expect(Object.values(emu.stats().createsCommitted).every((n) => n === 1)).toBe(true);
  });
});
