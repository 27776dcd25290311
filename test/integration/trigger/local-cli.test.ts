/**
 * `fdi-provision local` when a port it needs is taken: a clear message naming the port and the flag,
 * exit 2, like the emulator command, not an internal error (#11.11).
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STACK_TRACE } from '../../reliability/process.js';
import { runCli, tempDir } from '../../helpers/cli.js';

describe('fdi-provision local with a port taken', () => {
  let blocker: net.Server;
  let taken: number;
  beforeAll(async () => {
    blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    taken = (blocker.address() as net.AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => blocker.close(() => resolve())));

  it.each([
    ['--emulator-port', ['--s3-port', '0']],
    ['--s3-port', ['--emulator-port', '0']],
  ])('%s taken: exit 2, the port and the flag named', async (flag, others) => {
    const dir = await tempDir('fdi-local-port-');
    const res = await runCli(['local', flag, String(taken), ...others, '--data-dir', dir], { timeoutMs: 30_000 });
    expect(res.code, res.stderr).toBe(2);
    expect(res.stderr).toMatch(new RegExp(`port ${taken} .*is already in use; pick another with ${flag}`));
    expect(res.stderr).not.toMatch(/internal error/);
    expect(res.stderr).not.toMatch(STACK_TRACE);
  });
});
