/**
 * Where Huawei's SDK for ROMA says FDI differs from what the client once assumed (docs/FDI-API.md §10):
 * "no schedule" answered three ways, a same-named task of another kind, a Content-Type on every request,
 * and a schedule without a time zone. Each through the CLI against the emulator answering the SDK's way.
 */
import { describe, expect, it } from 'vitest';
import type { EmulatorOptions } from '../../../emulator/index.js';
import { latestLocalReport, runCli, writeManifest } from '../../helpers/cli.js';
import { routeCount, useEmulator } from '../../helpers/emulator.js';
import { DS } from '../emulator/helpers.js';

/** Three TIMING tasks with a cron schedule, under `on_exists`. */
function nightly(onExists: string, cron = '0 30 2 * * ?'): string {
  return `version: 1
target: { project_id: local-project, instance_id: local-instance }
options: { on_exists: ${onExists} }
templates:
  t:
    task_type: TIMING
    source_datasource: ${DS.example}
    target_datasource: { name: oracle-cdc }
    schedule: { cron: "${cron}" }
    detail: { targetSelectedDatasource: { targetTable: "T_\${n}" } }
tasks:
  - name: "night-\${n}"
    template: t
    matrix: { n: ["1", "2", "3"] }
`;
}

describe('"no schedule" in every form the SDK allows', () => {
  const fx = useEmulator('fdi-sdk-nodispatch-', {}, { FDI_RATE: '200' });

  it.each<NonNullable<EmulatorOptions['noDispatch']>>(['404', 'empty', 'no-id'])(
    'answered as %s: planning sees none, the schedule is created, nothing is PUT without an ID',
    async (form) => {
      const { emu, dir, env } = fx;
      emu.reset();
      emu.configure({ noDispatch: form });
      // Tasks without schedules first (created by someone, say), then the manifest with schedules under update.
      const bare = await writeManifest(dir, `bare-${form}.yaml`, nightly('skip').replace(/ {4}schedule:.*\n/, ''));
      expect((await runCli(['apply', bare, '--report', dir], { env })).code).toBe(0);
      const file = await writeManifest(dir, `night-${form}.yaml`, nightly('update'));
      const plan = await runCli(['plan', file, '--json'], { env });
      expect(plan.code, plan.stderr).toBe(0);
      const entries = (JSON.parse(plan.stdout) as { entries: Array<{ schedule?: string }> }).entries;
      expect(entries.map((e) => e.schedule)).toEqual(['create', 'create', 'create']);
      const res = await runCli(['apply', file, '--report', dir], { env });
      expect(res.code, res.stderr).toBe(0);
      const report = await latestLocalReport(dir, file);
      expect(report.steps?.schedules_created).toBe(3);
      const stats = emu.stats();
      expect(stats.dispatchPutsWithoutId).toBe(0);
      expect(stats.requests['PUT /tasks/{task_id}/dispatches/{dispatch_id}']).toBeUndefined();
      expect(routeCount(emu, 'POST /tasks/{task_id}/dispatches')).toBe(3);
    },
  );
});

describe('a same-named task of another kind', () => {
  const fx = useEmulator('fdi-sdk-kind-', {}, { FDI_RATE: '200' });

  it.each(['skip', 'update', 'fail'])(
    'on_exists %s: a conflict naming its kind, the run rejected, nothing written',
    async (onExists) => {
      const { emu, dir, env } = fx;
      emu.reset();
      emu.seedTask({ task_name: 'night-2', ext_type: 'CDC' });
      const file = await writeManifest(dir, `kind-${onExists}.yaml`, nightly(onExists));
      const plan = await runCli(['plan', file], { env });
      expect(plan.code).toBe(2);
      expect(plan.stdout).toMatch(/night-2 +local-instance +conflict/);
      expect(plan.stderr).toMatch(
        /taken by tasks of another kind, .*: "night-2" \(task [\w-]+, a composite task \(ext_type CDC\)\)/,
      );
      const res = await runCli(['apply', file, '--report', dir], { env });
      expect(res.code).toBe(2);
      const report = await latestLocalReport(dir, file);
      expect(report.status).toBe('rejected');
      const stats = emu.stats();
      expect(stats.requests['POST /tasks']).toBeUndefined();
      expect(stats.requests['PUT /tasks/{task_id}']).toBeUndefined();
      expect(emu.tasks().map((t) => t.task_name)).toEqual(['night-2']);
    },
  );
});

describe('requests as the SDK sends them', () => {
  const fx = useEmulator('fdi-sdk-headers-', {}, { FDI_RATE: '200' });

  it('Content-Type on every request: application/json without a body, with a charset with one', async () => {
    const { emu, dir, env } = fx;
    const file = await writeManifest(dir, 'headers.yaml', nightly('update'));
    expect((await runCli(['apply', file, '--report', dir], { env })).code).toBe(0);
    expect((await runCli(['apply', file, '--report', dir], { env })).code).toBe(0);
    const log = emu.requestLog();
    const methods = new Set(log.map((r) => r.method));
    expect(methods).toEqual(new Set(['GET', 'POST']));
    for (const r of log)
      expect(r.contentType, `${r.method} ${r.path}`).toBe(
        r.method === 'GET' ? 'application/json' : 'application/json;charset=UTF-8',
      );
  });

  it('a manifest schedule with a time zone is refused before anything is sent: FDI has no field for it', async () => {
    const { emu, dir, env } = fx;
    emu.reset();
    const withZone = nightly('update').replace(
      '{ cron: "0 30 2 * * ?" }',
      '{ cron: "0 30 2 * * ?", timezone: Asia/Shanghai }',
    );
    const file = await writeManifest(dir, 'tz.yaml', withZone);
    const res = await runCli(['apply', file, '--report', dir], { env });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/tz\.yaml:\d+:\d+:.*schedule\.timezone cannot be applied: FDI's schedule/);
    expect(res.stderr).toMatch(/hint: remove timezone/);
    expect(emu.requestLog()).toEqual([]);
  });
});
