/**
 * Progress says what the report says (#11.3): an update run counts "updated", not "created"; and a
 * run that sends nothing (rejected by its plan) shows no progress at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index.js';
import { bulkManifest, runCli, tempDir, writeManifest } from '../../helpers/cli.js';

describe('progress on stderr', () => {
  let emu: Emulator;
  let dir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    emu = await startEmulator({});
    dir = await tempDir('fdi-progress-');
    env = { FDI_ENDPOINT: emu.url, FDI_AUTH_TOKEN: 'local-token', FDI_INSTANCE_ID: 'local-instance', FDI_RATE: '200' };
  });
  afterAll(() => emu.close());

  it('counts the statuses the report counts: an update run says updated', async () => {
    const first = await writeManifest(dir, 'wave.yaml', bulkManifest(6, { prefix: 'prog' }));
    expect((await runCli(['apply', first, '--report', dir], { env })).code).toBe(0);
    const changed = bulkManifest(6, { prefix: 'prog', extra: 'options: { on_exists: update }' }).replace(
      'CDC.T_',
      'CDC.CHANGED_',
    );
    const res = await runCli(['apply', await writeManifest(dir, 'wave.yaml', changed), '--report', dir], { env });
    expect(res.code, res.stderr).toBe(0);
    const progress = res.stderr.split('\n').filter((l) => l.startsWith('progress:'));
    expect(progress.at(-1)).toMatch(/^progress: 6\/6 done, 0 created, 6 updated, 0 existing, 0 failed/);
    expect(res.stderr).toMatch(/succeeded: 6 tasks: 0 created, 6 updated/);
  });

  it.each([
    ['invalid tasks', (m: string) => m.replace('{ name: oracle-cdc }', '{ name: no-such-source }')],
    [
      'conflicts under on_exists: fail',
      (m: string) => m.replace('templates:', 'options: { on_exists: fail }\ntemplates:'),
    ],
  ])('a run its plan rejects (%s) sends nothing and shows no progress', async (_what, change) => {
    await runCli(
      ['apply', await writeManifest(dir, 'pre.yaml', bulkManifest(3, { prefix: 'noprog' })), '--report', dir],
      {
        env,
      },
    );
    const rejected = change(bulkManifest(3, { prefix: 'noprog' }));
    const res = await runCli(['apply', await writeManifest(dir, 'rejected.yaml', rejected), '--report', dir], { env });
    expect(res.code, res.stderr).toBe(2);
    expect(res.stderr).not.toMatch(/^progress:/m);
  });
});
