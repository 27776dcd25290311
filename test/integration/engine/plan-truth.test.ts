/**
 * The plan tells the whole truth (#11.1, #11.2): every write apply makes — the task, its schedule, its
 * start — is in the plan and counted in the report under its own name; `skip` leaves an existing task,
 * its schedule and its state alone; `update` brings the task and its schedule to the manifest, and the
 * plan shows what differs, field by field.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { latestLocalReport, runCli, writeManifest } from '../../helpers/cli.js';
import { useEmulator } from '../../helpers/emulator.js';
import { DS } from '../emulator/helpers.js';

const NAMES = ['nightly-a', 'nightly-b', 'nightly-c'];

function manifest(o: { onExists: string; cron?: string; remark?: string | null; table?: string }): string {
  const remark = o.remark === null ? '' : `, remark: ${o.remark ?? 'nightly orders'}`;
  return `version: 1
target: { project_id: local-project, instance_id: local-instance }
options: { on_exists: ${o.onExists} }
templates:
  t:
    task_type: TIMING
    source_datasource: ${DS.example}
    target_datasource: { name: oracle-cdc }
    schedule: { cron: "${o.cron ?? '0 30 2 * * ?'}"${remark} }
    start: true
    detail:
      targetSelectedDatasource: { targetTable: "${o.table ?? 'CDC'}.\${n}" }
tasks:
  - name: "nightly-\${n}"
    template: t
    matrix: { n: [a, b, c] }
`;
}

interface PlanJson {
  entries: Array<{
    name: string;
    action: string;
    schedule?: string;
    startAction?: string;
    changes?: Array<{ path: string; from?: unknown; to?: unknown }>;
  }>;
}

describe('the plan tells the whole truth', () => {
  // FDI showing details as sent, so the plan can name each changed path (docs/DRIFT.md).
  const fx = useEmulator('fdi-truth-', { detailForm: 'request' }, { FDI_RATE: '200' });
  const run = (args: string[]) => runCli(args, { env: fx.env });
  const apply = async (text: string) => {
    const file = await writeManifest(fx.dir, 'nightly.yaml', text);
    const res = await run(['apply', file, '--report', fx.dir]);
    return { res, report: await latestLocalReport(fx.dir, file) };
  };
  /** The plan as --json and as the table; both must exit 0. */
  const plan = async (text: string) => {
    const file = await writeManifest(fx.dir, 'nightly.yaml', text);
    const json = await run(['plan', file, '--json']);
    const table = await run(['plan', file]);
    expect(json.code, json.stderr).toBe(0);
    expect(table.code, table.stderr).toBe(0);
    return { json: JSON.parse(json.stdout) as PlanJson, table: table.stdout, code: json.code };
  };
  const dispatches = () =>
    Object.fromEntries(fx.emu.tasks().map((t) => [t.task_name, t.dispatch as Record<string, unknown> | undefined]));

  beforeEach(async () => {
    fx.emu.reset();
    const first = await apply(manifest({ onExists: 'skip' }));
    expect(first.res.code, first.res.stderr).toBe(0);
    // The first run: three tasks, three schedules and three starts, each counted under its name.
    expect(first.report.counts).toMatchObject({ created: 3 });
    expect(first.report.steps).toEqual({
      schedules_created: 3,
      schedules_updated: 0,
      schedules_unchanged: 0,
      started: 3,
    });
    expect(first.res.stderr).toMatch(/3 schedules created, 3 started/);
  });

  it('skip leaves the task, its schedule and its state alone, and the plan says so', async () => {
    const changed = manifest({ onExists: 'skip', cron: '0 45 3 * * ?' });
    const p = await plan(changed);
    expect(p.code).toBe(0);
    expect(p.json.entries.map((e) => e.name)).toEqual(NAMES);
    expect(p.json.entries.map((e) => [e.action, e.schedule, e.startAction])).toEqual(
      NAMES.map(() => ['skip', 'leave', 'leave']),
    );
    const { res, report } = await apply(changed);
    expect(res.code, res.stderr).toBe(0);
    expect(report.counts).toMatchObject({ existing: 3, updated: 0 });
    expect(report.steps).toEqual({ schedules_created: 0, schedules_updated: 0, schedules_unchanged: 0, started: 0 });
    for (const n of NAMES) expect(dispatches()[n]).toMatchObject({ cron: '0 30 2 * * ?', remark: 'nightly orders' });
  });

  it('update with only the cron changed: the task is kept, the schedule updated, the plan shows the cron', async () => {
    const changed = manifest({ onExists: 'update', cron: '0 45 3 * * ?' });
    const p = await plan(changed);
    expect(p.json.entries.map((e) => e.name)).toEqual(NAMES);
    for (const e of p.json.entries) {
      expect(e).toMatchObject({ action: 'skip', schedule: 'update', startAction: 'running' });
      expect(e.changes).toEqual([{ path: 'schedule.cron', from: '0 30 2 * * ?', to: '0 45 3 * * ?' }]);
    }
    expect(p.table).toMatch(/schedule\.cron/);
    const { res, report } = await apply(changed);
    expect(res.code, res.stderr).toBe(0);
    expect(report.counts).toMatchObject({ existing: 3, updated: 0 });
    expect(report.steps).toMatchObject({ schedules_updated: 3, started: 0 });
    for (const n of NAMES) expect(dispatches()[n]).toMatchObject({ cron: '0 45 3 * * ?' });
  });

  it('update with the remark removed: the schedule loses it', async () => {
    const changed = manifest({ onExists: 'update', remark: null });
    const p = await plan(changed);
    expect(p.json.entries.map((e) => e.name)).toEqual(NAMES);
    for (const e of p.json.entries) {
      expect(e.schedule).toBe('update');
      expect(e.changes).toEqual([{ path: 'schedule.remark', from: 'nightly orders' }]);
    }
    const { res } = await apply(changed);
    expect(res.code, res.stderr).toBe(0);
    for (const n of NAMES) {
      expect(dispatches()[n]).toMatchObject({ cron: '0 30 2 * * ?' });
      expect(dispatches()[n]).not.toHaveProperty('remark');
    }
  });

  it('update of the detail: the plan names each changed path of task_detail, with both values', async () => {
    const changed = manifest({ onExists: 'update', table: 'ODS' });
    const p = await plan(changed);
    expect(p.json.entries.map((e) => e.name)).toEqual(NAMES);
    for (const [i, e] of p.json.entries.entries()) {
      expect(e.action).toBe('update');
      expect(e.schedule).toBe('keep');
      const n = ['a', 'b', 'c'][i];
      expect(e.changes).toEqual([
        { path: 'task_detail.targetSelectedDatasource.targetTable', from: `CDC.${n}`, to: `ODS.${n}` },
      ]);
    }
    expect(p.table).toMatch(/task_detail\.targetSelectedDatasource\.targetTable/);
    const { res, report } = await apply(changed);
    expect(res.code, res.stderr).toBe(0);
    expect(report.counts).toMatchObject({ updated: 3 });
    expect(report.steps).toMatchObject({ schedules_unchanged: 3, schedules_updated: 0 });
  });
});
