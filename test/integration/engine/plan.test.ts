/** `plan` shows the right action per task and sends nothing that writes. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index.js';
import { runCli, tempDir, writeManifest } from '../../helpers/cli.js';

const SRC = '30969b205e8f4392a25fb321112d1753';

function manifest(onExists: string, detailTable = 'T1'): string {
  return `version: 1
target: { project_id: local-project, instance_id: local-instance }
options: { on_exists: ${onExists} }
defaults: { task_type: REALTIME, source_datasource: ${SRC}, target_datasource: { name: oracle-cdc } }
tasks:
  - name: plan-new
    detail: { t: ${detailTable} }
  - name: plan-same
    detail: { t: T1 }
  - name: plan-changed
    detail: { t: ${detailTable} }
  - name: plan-bad-ds
    target_datasource: { name: crm-ap }
    detail: { t: T1 }
  - name: plan-fuzzy
    source_datasource: { name: crm-api }
    detail: { t: T1 }
`;
}

const writes = (emu: Emulator) =>
  Object.entries(emu.stats().requests)
    .filter(([route]) => /^(POST|PUT|DELETE) /.test(route) && !route.includes('/v3/auth'))
    .reduce((n, [, byStatus]) => n + Object.values(byStatus).reduce((a, b) => a + b, 0), 0);

describe('plan', () => {
  let emu: Emulator;
  let dir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    // FDI showing details as sent: compared path by path (the response form is judged below and in drift.test.ts).
    emu = await startEmulator({ detailForm: 'request' });
    dir = await tempDir();
    env = { FDI_ENDPOINT: emu.url, FDI_AUTH_TOKEN: 'local-token' };
    const existing = (name: string, t: string) =>
      fetch(`${emu.url}/v2/local-project/fdi/instances/local-instance/tasks`, {
        method: 'POST',
        headers: { 'X-Auth-Token': 'local-token', 'Content-Type': 'application/json' },
        body: JSON.stringify({
          task: {
            task_name: name,
            task_type: 'REALTIME',
            source_datasource_id: SRC,
            target_datasource_id: 'b2e8c0d14f6a4e7b9c3d5e7f9a1b3c5d',
          },
          task_detail: JSON.stringify({ t }),
        }),
      });
    expect((await existing('plan-same', 'T1')).status).toBe(200);
    expect((await existing('plan-changed', 'T0')).status).toBe(200);
  });
  afterAll(() => emu.close());

  it('details in response form, no record: identical values are "drift unknown", a missing value is an update', async () => {
    emu.configure({ detailForm: 'response' });
    try {
      const m = await writeManifest(dir, 'update-response.yaml', manifest('update'));
      const res = await runCli(['plan', m, '--json'], { env });
      // Its invalid task (an unknown data-source name) blocks the apply; the plan shows every task.
      expect(res.code, res.stderr).toBe(2);
      const entries = (
        JSON.parse(res.stdout) as { entries: Array<{ name: string; action: string; compared?: string }> }
      ).entries;
      const judged = Object.fromEntries(entries.map((e) => [e.name, [e.action, e.compared]]));
      expect(judged['plan-same']).toEqual(['update', 'drift unknown']);
      expect(judged['plan-changed']).toEqual(['update', 'update']);
    } finally {
      emu.configure({ detailForm: 'request' });
    }
  });

  it('on_exists: update → create, skip (identical), update (different), invalid (unknown name); exact match despite fuzzy filters', async () => {
    const before = writes(emu);
    const m = await writeManifest(dir, 'update.yaml', manifest('update'));
    const res = await runCli(['plan', m, '--json'], { env });
    const plan = JSON.parse(res.stdout) as {
      entries: Array<{ name: string; action: string; reason?: string; source_datasource_id?: string }>;
      blockers: string[];
    };
    const action = Object.fromEntries(plan.entries.map((e) => [e.name, e.action]));
    expect(action).toEqual({
      'plan-new': 'create',
      'plan-same': 'skip',
      'plan-changed': 'update',
      'plan-bad-ds': 'invalid',
      'plan-fuzzy': 'create',
    });
    expect(plan.entries.find((e) => e.name === 'plan-bad-ds')!.reason).toMatch(
      /"crm-ap" was not found.*did you mean "crm-api"\?/,
    );
    expect(plan.entries.find((e) => e.name === 'plan-fuzzy')!.source_datasource_id).toBe(
      '6f1c2a0e9b8d4c3ea1f2b3c4d5e6f7a8',
    );
    expect(res.code).toBe(2);
    expect(writes(emu)).toBe(before);
  });

  it('on_exists: skip and fail; a readable table; no writes', async () => {
    const before = writes(emu);
    const skip = await runCli(['plan', await writeManifest(dir, 'skip.yaml', manifest('skip'))], { env });
    expect(skip.stdout).toMatch(/plan-same\s+local-instance\s+skip/);
    expect(skip.stdout).toMatch(/plan-new\s+local-instance\s+create/);
    expect(skip.stdout).toMatch(/plan: .*2 create/);
    const fail = await runCli(['plan', await writeManifest(dir, 'fail.yaml', manifest('fail')), '--json'], { env });
    const plan = JSON.parse(fail.stdout) as { entries: Array<{ name: string; action: string }>; blockers: string[] };
    expect(
      plan.entries
        .filter((e) => e.action === 'conflict')
        .map((e) => e.name)
        .sort(),
    ).toEqual(['plan-changed', 'plan-same']);
    expect(plan.blockers.join(' ')).toMatch(/already exist/);
    expect(fail.code).toBe(2);
    expect(writes(emu)).toBe(before);
  });

  it('apply executes what plan showed (update mode) and rejects a plan with invalid tasks without writing', async () => {
    const before = writes(emu);
    const res = await runCli(['apply', await writeManifest(dir, 'update2.yaml', manifest('update')), '--report', dir], {
      env,
    });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/invalid/);
    expect(writes(emu)).toBe(before);
  });
});
