/**
 * `destroy` through the command line (docs/DESTROY.md): without a terminal to ask on it refuses unless
 * `--yes` is given (exit 2, nothing sent); with `--yes` it deletes, with a destroy's progress and summary.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { bulkManifest, runCli, writeManifest } from '../../helpers/cli.js';
import { useEmulator } from '../../helpers/emulator.js';

describe('destroy on the command line', () => {
  const fx = useEmulator('fdi-destroy-cli-', {}, { FDI_RATE: '200' });
  let env: Record<string, string>;
  let dir: string;
  let manifest: string;
  beforeAll(async () => {
    ({ env, dir } = fx);
    manifest = await writeManifest(dir, 'wave.yaml', bulkManifest(3, { prefix: 'gone' }));
    expect((await runCli(['apply', manifest, '--report', dir], { env })).code).toBe(0);
  });

  it('without a terminal and without --yes: exit 2, nothing deleted', async () => {
    const res = await runCli(['destroy', manifest, '--report', dir], { env });
    expect(res.code, res.stderr).toBe(2);
    expect(res.stderr).toMatch(/without a terminal to ask on, it runs only with --yes; nothing was sent/);
    const again = await runCli(['apply', manifest, '--report', dir], { env });
    expect(again.stderr).toMatch(/succeeded: 3 tasks: 0 created, 0 updated, 3 existing/);
  });

  it('with --yes: deletes, showing a destroy progress and summary', async () => {
    const res = await runCli(['destroy', manifest, '--yes', '--report', dir], { env });
    expect(res.code, res.stderr).toBe(0);
    const progress = res.stderr.split('\n').filter((l) => l.startsWith('progress:'));
    expect(progress.at(-1)).toMatch(/^progress: 3\/3 done, 3 deleted, 0 absent, 0 foreign, 0 failed/);
    expect(res.stderr).toMatch(/succeeded: 3 tasks: 3 deleted, 0 absent, 0 foreign, 0 failed/);
    const again = await runCli(['destroy', manifest, '--yes', '--report', dir], { env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/succeeded: 3 tasks: 0 deleted, 3 absent/);
  });
});
