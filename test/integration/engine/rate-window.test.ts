/**
 * The configured rate is a ceiling in every one-second window, as the server counts it (the emulator
 * counts arrivals in any sliding second): at --rate 5 never 6 requests in a second.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index.js';
import { bulkManifest, runCli, tempDir, writeManifest } from '../../helpers/cli.js';

describe('the rate limit, per one-second window at the server', () => {
  let emu: Emulator;
  let dir: string;
  beforeAll(async () => {
    emu = await startEmulator({});
    dir = await tempDir('fdi-rate-window-');
  });
  afterAll(() => emu.close());

  it.each([5, 20])('--rate %i: never more than that many arrivals in any second', async (rate) => {
    emu.reset();
    const n = rate * 3;
    const manifest = await writeManifest(dir, `rate${rate}.yaml`, bulkManifest(n, { prefix: `rate${rate}` }));
    const env = { FDI_ENDPOINT: emu.url, FDI_AUTH_TOKEN: 'local-token', FDI_INSTANCE_ID: 'local-instance' };
    const res = await runCli(['apply', manifest, '--rate', String(rate), '--report', dir], { env });
    expect(res.code, res.stderr).toBe(0);
    expect(emu.stats().tasksStored).toBe(n);
    expect(emu.stats().peakRequestsPerSecond).toBeLessThanOrEqual(rate);
  });
});
