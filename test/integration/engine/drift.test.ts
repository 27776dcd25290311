/**
 * Drift under `on_exists: update` against an emulator that answers task_detail in FDI's response form
 * (RawFormDataResponse), as the real service documents it (docs/DRIFT.md): an unchanged manifest
 * re-applied writes and reads nothing per task; a changed template variable updates exactly the tasks
 * it renders into; a task edited behind the product's back is found and brought back; losing the record
 * costs one rewrite of what cannot be compared, and says so, then the runs are quiet again.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Emulator } from '../../../emulator/index.js';
import type { Report } from '../../../lib/report/types.js';
import { latestLocalReport, runCli, writeManifest } from '../../helpers/cli.js';
import { editTask, routeCount, useEmulator } from '../../helpers/emulator.js';
import { expectExactlyOnce } from '../../reliability/helpers.js';

const A = 20;
const B = 180;
const ids = (n: number) => Array.from({ length: n }, (_, i) => `"${String(i).padStart(3, '0')}"`).join(', ');

/** 200 tasks; `schemaA` renders into the 20 tasks of wave-a only. */
function manifest(schemaA: string): string {
  return `version: 1
target: { project_id: local-project, instance_id: local-instance }
options: { on_exists: update }
templates:
  t:
    task_type: REALTIME
    source_datasource: 30969b205e8f4392a25fb321112d1753
    target_datasource: { name: oracle-cdc }
    detail:
      targetSelectedDatasource: { targetTable: "\${schema}.T_\${n}" }
tasks:
  - name: "wave-a-\${n}"
    template: t
    vars: { schema: ${schemaA} }
    matrix: { n: [${ids(A)}] }
  - name: "wave-b-\${n}"
    template: t
    vars: { schema: CDC }
    matrix: { n: [${ids(B)}] }
`;
}

const NAMES = [
  ...Array.from({ length: A }, (_, i) => `wave-a-${String(i).padStart(3, '0')}`),
  ...Array.from({ length: B }, (_, i) => `wave-b-${String(i).padStart(3, '0')}`),
];

/** What one step sent: per-task reads and writes, by route. */
async function measured<T>(emu: Emulator, step: () => Promise<T>): Promise<{ value: T; reads: number; puts: number }> {
  const [reads, puts] = [routeCount(emu, 'GET /tasks/{task_id}'), routeCount(emu, 'PUT /tasks/{task_id}')];
  const value = await step();
  return {
    value,
    reads: routeCount(emu, 'GET /tasks/{task_id}') - reads,
    puts: routeCount(emu, 'PUT /tasks/{task_id}') - puts,
  };
}

interface PlanJson {
  entries: Array<{ name: string; action: string; compared?: string; reason?: string }>;
}

describe('drift under on_exists: update, FDI answering in its response form', () => {
  const fx = useEmulator('fdi-drift-', { detailForm: 'response' }, { FDI_RATE: '500', FDI_CONCURRENCY: '16' });
  const state = () => path.join(fx.dir, 'state');
  const file = () => path.join(fx.dir, 'wave.yaml');
  const apply = async (text: string) => {
    await writeManifest(fx.dir, 'wave.yaml', text);
    const res = await runCli(['apply', file(), '--report', path.join(fx.dir, 'reports'), '--state', state()], {
      env: fx.env,
    });
    expect(res.code, res.stderr).toBe(0);
    return latestLocalReport(path.join(fx.dir, 'reports'), file());
  };
  const plan = async (text: string) => {
    await writeManifest(fx.dir, 'wave.yaml', text);
    const res = await runCli(['plan', file(), '--json', '--state', state()], { env: fx.env });
    expect(res.code, res.stderr).toBe(0);
    return JSON.parse(res.stdout) as PlanJson;
  };
  const byStatus = (r: Report, status: string) => r.tasks.filter((t) => t.status === status).map((t) => t.name);

  it('creates, stays quiet when nothing changed, updates what changed, finds an edit, survives a lost record', async () => {
    const { emu } = fx;
    // 1. The wave goes in.
    const first = await apply(manifest('SCHEMA_A'));
    expect(first.counts.created).toBe(A + B);
    // FDI (here, the emulator) shows the detail in its own form, which cannot be compared with the manifest's.
    const shown = (await (
      await fetch(`${emu.url}/v2/local-project/fdi/instances/local-instance/tasks/${first.tasks[0]!.task_id}`, {
        headers: { 'X-Auth-Token': 'local-token' },
      })
    ).json()) as { task_detail: string };
    expect(JSON.parse(shown.task_detail)).toHaveProperty('target_selected_datasource');

    // 2. Unchanged, re-applied: no per-task read, no write; the plan says unchanged for all.
    const quiet = await measured(emu, () => apply(manifest('SCHEMA_A')));
    expect(quiet.reads).toBe(0);
    expect(quiet.puts).toBe(0);
    expect(quiet.value.counts.existing).toBe(A + B);
    const unchanged = await measured(emu, () => plan(manifest('SCHEMA_A')));
    expect(unchanged.reads).toBe(0);
    expect(new Set(unchanged.value.entries.map((e) => e.compared))).toEqual(new Set(['unchanged']));

    // 3. One variable that renders into wave-a only: exactly those 20 are updated.
    const planned = await plan(manifest('SCHEMA_A2'));
    expect(planned.entries.filter((e) => e.compared === 'update').map((e) => e.name)).toEqual(NAMES.slice(0, A));
    for (const e of planned.entries.slice(0, A))
      expect(e.reason).toBe('the manifest changed since this product last applied it');
    const changed = await measured(emu, () => apply(manifest('SCHEMA_A2')));
    expect(byStatus(changed.value, 'updated')).toEqual(NAMES.slice(0, A));
    expect(changed.puts).toBe(A);
    expect(changed.reads).toBe(A);
    const stored = new Map(emu.tasks().map((t) => [t.task_name, t]));
    expect(JSON.parse(stored.get('wave-a-007')!.task_detail)).toEqual({
      targetSelectedDatasource: { targetTable: 'SCHEMA_A2.T_007' },
    });

    // 4. Someone edits one task straight through the API: found, and brought back to the manifest.
    const victim = stored.get('wave-b-042')!;
    expect(await editTask(emu, victim, { targetSelectedDatasource: { targetTable: 'SOMEONE.ELSE' } })).toBe(200);
    const seen = await plan(manifest('SCHEMA_A2'));
    const drifted = seen.entries.filter((e) => e.compared !== 'unchanged');
    expect(drifted.map((e) => [e.name, e.compared, e.reason])).toEqual([
      ['wave-b-042', 'update', 'changed in FDI since this product last applied it: brought back to the manifest'],
    ]);
    const mended = await measured(emu, () => apply(manifest('SCHEMA_A2')));
    expect(byStatus(mended.value, 'updated')).toEqual(['wave-b-042']);
    expect(mended.value.tasks.find((t) => t.name === 'wave-b-042')?.note).toBe(
      'changed in FDI since this product last applied it: brought back to the manifest',
    );
    expect(mended.puts).toBe(1);
    expect(JSON.parse(emu.tasks().find((t) => t.task_name === 'wave-b-042')!.task_detail)).toEqual({
      targetSelectedDatasource: { targetTable: 'CDC.T_042' },
    });

    // 5. The record is lost: every task is read, none can be compared, so each is "drift unknown" and
    // rewritten once, and the plan says so. Then the runs are quiet again.
    await rm(state(), { recursive: true, force: true });
    const blind = await plan(manifest('SCHEMA_A2'));
    expect(new Set(blind.entries.map((e) => e.compared))).toEqual(new Set(['drift unknown']));
    const rebuilt = await measured(emu, () => apply(manifest('SCHEMA_A2')));
    expect(rebuilt.reads).toBe(A + B);
    expect(rebuilt.puts).toBe(A + B);
    expect(rebuilt.value.counts.updated).toBe(A + B);
    // The report says, per task, what could not be compared.
    for (const t of rebuilt.value.tasks) expect(t.note, t.name).toMatch(/^drift unknown: /);
    const again = await measured(emu, () => apply(manifest('SCHEMA_A2')));
    expect([again.reads, again.puts]).toEqual([0, 0]);

    expectExactlyOnce(emu, NAMES);
  });
});
