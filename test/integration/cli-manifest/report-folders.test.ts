/**
 * A local run's reports are keyed by the manifest's path, as the bucket's are (#11.5): two manifests
 * of the same name in different folders never share a report folder, and a failed.yaml's retry is
 * recorded with the run it retries.
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index.js';
import type { Report } from '../../../lib/report/types.js';
import { bulkManifest, runCli, tempDir, writeManifest } from '../../helpers/cli.js';

const read = async (file: string) => JSON.parse(await readFile(file, 'utf8')) as Report;

describe('report folders of local manifests', () => {
  let emu: Emulator;
  let dir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    emu = await startEmulator({});
    dir = await tempDir('fdi-folders-');
    env = { FDI_ENDPOINT: emu.url, FDI_AUTH_TOKEN: 'local-token', FDI_INSTANCE_ID: 'local-instance' };
  });
  afterAll(() => emu.close());

  it('wave1/tables.yaml and wave2/tables.yaml: reports/wave1/tables and reports/wave2/tables', async () => {
    for (const wave of ['wave1', 'wave2']) {
      await mkdir(path.join(dir, wave), { recursive: true });
      await writeManifest(path.join(dir, wave), 'tables.yaml', bulkManifest(2, { prefix: wave }));
      const res = await runCli(['apply', `${wave}/tables.yaml`], { env, cwd: dir });
      expect(res.code, res.stderr).toBe(0);
      expect(res.stderr).toContain(`report: ${path.join(dir, 'reports', wave, 'tables')}${path.sep}`);
    }
    const one = await read(path.join(dir, 'reports/wave1/tables/latest.json'));
    const two = await read(path.join(dir, 'reports/wave2/tables/latest.json'));
    expect(one.manifest.uri).toBe('wave1/tables.yaml');
    expect(two.manifest.uri).toBe('wave2/tables.yaml');
    expect(one.tasks.map((t) => t.name)).toEqual(['wave1-0-0000', 'wave1-0-0001']);
    expect(two.tasks.map((t) => t.name)).toEqual(['wave2-0-0000', 'wave2-0-0001']);
  });

  it("a failed.yaml's retry reports into the folder of the run it retries, and says which run", async () => {
    // The instance takes one more task only: two of the three creates fail.
    emu.reset();
    emu.configure({ maxTasks: 1 });
    const m = path.join(dir, 'retry', 'wave.yaml');
    await mkdir(path.dirname(m), { recursive: true });
    await writeManifest(
      path.dirname(m),
      'wave.yaml',
      bulkManifest(3, { prefix: 'retry', extra: 'options: { max_attempts: 1 }' }),
    );
    const first = await runCli(['apply', 'retry/wave.yaml'], { env, cwd: dir });
    emu.configure({ maxTasks: 1000 });
    expect(first.code, first.stderr).toBe(1);
    const failedRun = await read(path.join(dir, 'reports/retry/wave/latest.json'));
    const failedYaml = path.join(dir, 'reports/retry/wave', failedRun.run_id, 'failed.yaml');
    expect(await readFile(failedYaml, 'utf8')).toContain(
      `retry_of:\n  manifest: retry/wave.yaml\n  run_id: ${failedRun.run_id}\n  path: retry/wave\n`,
    );

    const retry = await runCli(['apply', failedYaml], { env, cwd: dir });
    expect(retry.code, retry.stderr).toBe(0);
    const latest = await read(path.join(dir, 'reports/retry/wave/latest.json'));
    expect(latest.run_id).not.toBe(failedRun.run_id);
    expect(latest.retry_of).toEqual({ manifest: 'retry/wave.yaml', run_id: failedRun.run_id, path: 'retry/wave' });
    expect(latest.counts).toMatchObject({ total: 2, created: 2 });
    const summary = await readFile(path.join(dir, 'reports/retry/wave', latest.run_id, 'summary.md'), 'utf8');
    expect(summary).toContain(`Retries run ${failedRun.run_id} of \`retry/wave.yaml\``);
  });
});
