/** `npm run demo -- --platform functiongraph` through the built CLI: every example provisioned through the FunctionGraph handler. */
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';

describe('demo --platform functiongraph', () => {
  it('runs every example through the FunctionGraph handler and exits 0', async () => {
    const res = await runCli(['demo', '--platform', 'functiongraph']);
    expect(res.stderr).not.toMatch(/handler failed|record failed/);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('handler: FunctionGraph (OBS trigger events, temporary agency credentials)');
    expect(res.stdout).toMatch(/# Provisioning run \S+: succeeded/);
    expect(res.stdout).not.toMatch(/: (failed|partial|aborted|rejected)\n/);
  }, 120_000);

  it('refuses an unknown platform', async () => {
    const res = await runCli(['demo', '--platform', 'azure']);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/aws, functiongraph/);
  });
});
