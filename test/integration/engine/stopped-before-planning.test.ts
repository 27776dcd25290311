/**
 * A run that stops before its plan (FDI refuses the credentials, or its listings keep failing) still
 * accounts for every task of the manifest: each one is in the report as not attempted (#11.4).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index.js';
import { bulkManifest, runCli, tempDir, writeManifest, latestLocalReport } from '../../helpers/cli.js';

const N = 7;

describe('a run stopped before planning', () => {
  let emu: Emulator;
  let dir: string;
  beforeAll(async () => {
    emu = await startEmulator({});
    dir = await tempDir('fdi-before-plan-');
  });
  afterAll(() => emu.close());

  it.each([
    ['a wrong token', { FDI_AUTH_TOKEN: 'wrong' }, {}, /authentication failed/],
    [
      '503 on every listing',
      { FDI_AUTH_TOKEN: 'local-token', FDI_MAX_ATTEMPTS: '2' },
      { 503: 1 },
      /could not read the instance/,
    ],
  ])('%s: aborted, every task of the manifest reported not attempted', async (_what, creds, faults, reason) => {
    emu.reset();
    emu.configure({ faults });
    const name = `before-${Object.keys(faults).length}`;
    const manifest = await writeManifest(dir, `${name}.yaml`, bulkManifest(N, { prefix: name }));
    const env = { FDI_ENDPOINT: emu.url, FDI_INSTANCE_ID: 'local-instance', ...creds };
    const res = await runCli(['apply', manifest, '--report', dir], { env });
    emu.configure({ faults: {} });
    expect(res.code, res.stderr).toBe(3);
    const report = await latestLocalReport(dir, manifest);
    expect(report.status).toBe('aborted');
    expect(report.reason).toMatch(reason);
    expect(report.counts).toMatchObject({ total: N, not_attempted: N });
    expect(report.tasks.map((t) => [t.index, t.status])).toEqual(
      Array.from({ length: N }, (_, i) => [i, 'not_attempted']),
    );
    expect(report.tasks.every((t) => t.target?.instance_id === 'local-instance' && t.line > 0)).toBe(true);
    expect(res.stderr).toMatch(new RegExp(`aborted: ${N} tasks: 0 created.* ${N} not attempted`));
  });
});
