/** `fdi-provision emulator` with the execution flags: the settings in force, as its config route shows them. */
import { describe, expect, it } from 'vitest';
import { runCli, startCli } from '../../helpers/cli.js';

describe('fdi-provision emulator --execution-*', () => {
  it('starts with the given execution settings', async () => {
    const { child, done } = startCli([
      'emulator',
      '--port',
      '0',
      '--execution-ms',
      '20',
      '--execution-fail-share',
      '0.25',
      '--execution-seed',
      '3',
      '--run-on-start',
    ]);
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout?.on('data', (d: Buffer) => {
          out += String(d);
          const m = /listening on (\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        void done.then((r) => reject(new Error(`the emulator ended: ${r.stderr}`)));
      });
      const config = (await (await fetch(`${url}/__emulator/config`)).json()) as Record<string, unknown>;
      expect(config).toMatchObject({ executionMs: 20, executionFailShare: 0.25, executionSeed: 3, runOnStart: true });
    } finally {
      child.kill('SIGINT');
      expect((await done).code).toBe(0);
    }
  });

  it('refuses bad values with exit 2 and one message', async () => {
    const res = await runCli(['emulator', '--port', '0', '--execution-fail-share', '2', '--execution-ms', 'soon']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/--execution-ms must be a whole number/);
    expect(res.stderr).toMatch(/--execution-fail-share must be a number from 0 to 1/);
    expect(res.stderr).not.toMatch(/\n\s+at /);
  });
});
