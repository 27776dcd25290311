/**
 * `fdi-provision local` with a port flag that is not a port: refused before anything listens, with
 * one clear line naming the flag and the value given, exit 2 (README, "The command line").
 */
import { describe, expect, it } from 'vitest';
import { STACK_TRACE } from '../../reliability/process.js';
import { runCli, tempDir } from '../../helpers/cli.js';

describe('fdi-provision local: port flags', () => {
  it.concurrent.each([
    ['--s3-port', 'abc'],
    ['--emulator-port', 'abc'],
    ['--s3-port', '65536'],
  ])('%s %s: exit 2, the flag and the value named, nothing started', async (flag, value) => {
    const dir = await tempDir('fdi-local-flags-');
    const other = flag === '--s3-port' ? '--emulator-port' : '--s3-port';
    const res = await runCli(['local', `${flag}=${value}`, other, '0', '--data-dir', dir], { timeoutMs: 20_000 });
    expect(res.code, res.stderr).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toContain(flag);
    expect(res.stderr).toContain(`"${value}"`);
    expect(res.stderr).toMatch(/port number 0–65535/);
    expect(res.stderr).not.toMatch(/internal error/);
    expect(res.stderr).not.toMatch(STACK_TRACE);
  });
});
