/**
 * A wrong data-source name is one precise message (#11.6): at the line of the name, with "did you
 * mean" and the names that exist, once for all the tasks that share it, in the plan's output, in
 * apply's and in the report.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index.js';
import { latestLocalReport, runCli, tempDir, writeManifest } from '../../helpers/cli.js';

const MANIFEST = `version: 1
target: { project_id: local-project, instance_id: local-instance }
templates:
  t:
    task_type: REALTIME
    source_datasource: 30969b205e8f4392a25fb321112d1753
    target_datasource:
      name: oracle_cdc
    detail: { x: 1 }
tasks:
  - name: "w-\${n}"
    template: t
    matrix: { n: [a1, a2, a3] }
`;

const LOCATED =
  /ds\.yaml:8:13: target data source "oracle_cdc" was not found in instance local-instance; did you mean "oracle-cdc"\? \(3 tasks: w-a1, w-a2, w-a3\)/;

describe('a wrong data-source name', () => {
  let emu: Emulator;
  let dir: string;
  let file: string;
  const env = () => ({ FDI_ENDPOINT: emu.url, FDI_AUTH_TOKEN: 'local-token' });
  beforeAll(async () => {
    emu = await startEmulator({});
    dir = await tempDir('fdi-ds-');
    file = await writeManifest(dir, 'ds.yaml', MANIFEST);
  });
  afterAll(() => emu.close());

  it('plan: one located message with a suggestion and the names that exist', async () => {
    const res = await runCli(['plan', file], { env: env() });
    expect(res.code).toBe(2);
    const lines = res.stderr.split('\n');
    expect(lines.filter((l) => LOCATED.test(l))).toHaveLength(1);
    expect(res.stderr).toMatch(/hint: the data sources of instance local-instance are: .*"oracle-cdc"/);
  });

  it('apply: the same message once, and once in the report', async () => {
    const res = await runCli(['apply', file, '--report', dir], { env: env() });
    expect(res.code).toBe(2);
    expect(res.stderr.split('\n').filter((l) => LOCATED.test(l))).toHaveLength(1);
    const report = await latestLocalReport(dir, file);
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]).toMatchObject({ line: 8, column: 13 });
    expect(report.errors[0].message).toMatch(/did you mean "oracle-cdc"\?/);
    expect(report.counts).toMatchObject({ total: 3, invalid: 3 });
  });
});
