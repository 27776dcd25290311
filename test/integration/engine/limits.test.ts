/** Invariants measured at the emulator: never more than the configured rate, never more in flight than the cap. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index.js';
import { bulkManifest, runCli, tempDir, writeManifest } from '../../helpers/cli.js';

describe('rate and concurrency limits', () => {
  let emu: Emulator;
  let dir: string;
  beforeAll(async () => {
    emu = await startEmulator({ latencyMs: 40, jitterMs: 20, seed: 3 });
    dir = await tempDir();
  });
  afterAll(() => emu.close());

  it('the request rate never exceeds --rate, in any 1-second window at the server', async () => {
    emu.reset();
    const manifest = await writeManifest(dir, 'rate.yaml', bulkManifest(150, { prefix: 'rate' }));
    const res = await runCli(['apply', manifest, '--rate', '50', '--concurrency', '32', '--report', dir], {
      env: { FDI_ENDPOINT: emu.url, FDI_AUTH_TOKEN: 'local-token' },
    });
    expect(res.code).toBe(0);
    const s = emu.stats();
    expect(s.tasksStored).toBe(150);
    // Requests are spaced 20 ms apart, and the 51st leaves a second and a guard after the first.
    expect(s.peakRequestsPerSecond).toBeLessThanOrEqual(50);
    expect(s.peakRequestsPerSecond).toBeGreaterThanOrEqual(40);
  });

  it('requests in flight never exceed --concurrency', async () => {
    emu.reset();
    const manifest = await writeManifest(dir, 'conc.yaml', bulkManifest(120, { prefix: 'conc' }));
    const res = await runCli(['apply', manifest, '--rate', '1000', '--concurrency', '4', '--report', dir], {
      env: { FDI_ENDPOINT: emu.url, FDI_AUTH_TOKEN: 'local-token' },
    });
    expect(res.code).toBe(0);
    const s = emu.stats();
    expect(s.tasksStored).toBe(120);
    expect(s.maxConcurrent).toBeLessThanOrEqual(4);
    expect(s.maxConcurrent).toBeGreaterThanOrEqual(3);
  });

  it('adapts to a server quota below the configured rate: mostly created first time, all created once', async () => {
    emu.reset();
    emu.configure({ rateQuota: 40, retryAfterSeconds: 1, latencyMs: 5, jitterMs: 0 });
    try {
      const manifest = await writeManifest(dir, 'quota.yaml', bulkManifest(200, { prefix: 'quota' }));
      const res = await runCli(
        ['apply', manifest, '--rate', '80', '--concurrency', '16', '--max-attempts', '10', '--report', dir],
        { env: { FDI_ENDPOINT: emu.url, FDI_AUTH_TOKEN: 'local-token' } },
      );
      expect(res.code).toBe(0);
      const s = emu.stats();
      expect(s.tasksStored).toBe(200);
      expect(Object.values(s.createsCommitted).every((n) => n === 1)).toBe(true);
      expect(s.throttled).toBeGreaterThan(0);
      expect(s.throttled).toBeLessThan(s.requestsTotal * 0.25);
    } finally {
      emu.configure({ rateQuota: undefined, retryAfterSeconds: undefined, latencyMs: 40, jitterMs: 20 });
    }
  });
});
