/**
 * What `destroy --yes` shows on stderr (docs/DESTROY.md): a destroy's progress and summary line, counting
 * deleted / absent / foreign rather than an apply's statuses. The refusal without a terminal, faults and
 * foreign tasks: test/integration/engine/destroy.test.ts.
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
