/**
 * Who did what (docs/SECURITY.md): the report of a run that overwrites tasks (`on_exists: update`) names
 * each task it changed, its ID before and after and when FDI last showed it modified before the run, in
 * report.json, summary.md and tasks.csv; tasks it created or left as they were carry no `before`.
 * Through the CLI against the emulator.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../../lib/report/types.js';
import { latestLocalReport, reportFolder, runCli, writeManifest } from '../../helpers/cli.js';
import { editTask, useEmulator } from '../../helpers/emulator.js';

/** Tasks audit-a-0..2 render `schemaA` into their detail; audit-b-0..2 do not; `extra` adds audit-c-0. */
function manifest(schemaA: string, extra = false): string {
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
  - name: "audit-a-\${n}"
    template: t
    vars: { schema: ${schemaA} }
    matrix: { n: ["0", "1", "2"] }
  - name: "audit-b-\${n}"
    template: t
    vars: { schema: CDC }
    matrix: { n: ["0", "1", "2"] }
${extra ? '  - { name: audit-c-0, template: t, vars: { schema: CDC, n: "0" } }\n' : ''}`;
}

describe('the report of a run that overwrites tasks', () => {
  const fx = useEmulator('fdi-overwrite-audit-', {}, { FDI_RATE: '200' });
  const reports = () => path.join(fx.dir, 'reports');
  const file = () => path.join(fx.dir, 'audit.yaml');
  const apply = async (text: string): Promise<Report> => {
    await writeManifest(fx.dir, 'audit.yaml', text);
    const res = await runCli(['apply', file(), '--report', reports(), '--state', path.join(fx.dir, 'state')], {
      env: fx.env,
    });
    expect(res.code, res.stderr).toBe(0);
    return latestLocalReport(reports(), file());
  };
  const runFile = (report: Report, name: string) =>
    readFile(path.join(reportFolder(reports(), file()), report.run_id, name), 'utf8');

  it('names exactly the tasks it changed, with their IDs before and after and when they were last modified', async () => {
    const { emu } = fx;
    // 1. The tasks go in: nothing is overwritten.
    const first = await apply(manifest('SCHEMA_A'));
    expect(first.counts.created).toBe(6);
    expect(first.tasks.filter((t) => t.before !== undefined)).toEqual([]);
    expect(await runFile(first, 'summary.md')).not.toContain('Changed tasks');

    // 2. Someone edits audit-b-1 straight through the API, a little later: its modification time moves.
    await new Promise((r) => setTimeout(r, 30));
    const victim = emu.tasks().find((t) => t.task_name === 'audit-b-1')!;
    expect(await editTask(emu, victim, { targetSelectedDatasource: { targetTable: 'SOMEONE.ELSE' } })).toBe(200);

    // What FDI holds before the second run: each task's ID and modification time.
    const held = new Map(emu.tasks().map((t) => [t.task_name, { id: t.task_id, modified: t.last_modified_date }]));
    expect(held.get('audit-b-1')!.modified).toBeGreaterThan(victim.created_date);

    // 3. The detail of audit-a-* changes, and a new task joins: applied again under on_exists: update.
    const second = await apply(manifest('SCHEMA_A2', true));
    const changed = ['audit-a-0', 'audit-a-1', 'audit-a-2', 'audit-b-1'];
    expect(second.counts).toMatchObject({ total: 7, created: 1, updated: 4, existing: 2, failed: 0 });
    const overwritten = second.tasks.filter((t) => t.before !== undefined);
    expect(overwritten.map((t) => t.name)).toEqual(changed);
    for (const t of overwritten) {
      const was = held.get(t.name)!;
      expect(t.status).toBe('updated');
      expect(t.before).toEqual({ task_id: was.id, modified: new Date(was.modified).toISOString() });
      // An update keeps the task: the ID after is the one before.
      expect(t.task_id).toBe(was.id);
    }
    // The edit's time, not the creation's, is what the auditor sees for the edited task.
    expect(overwritten.find((t) => t.name === 'audit-b-1')!.before!.modified).toBe(
      new Date(held.get('audit-b-1')!.modified).toISOString(),
    );
    // Tasks left as they were, and the one created, carry no before.
    for (const t of second.tasks.filter((x) => !changed.includes(x.name))) {
      expect(['existing', 'created']).toContain(t.status);
      expect(t).not.toHaveProperty('before');
    }
    expect(second.tasks.find((t) => t.name === 'audit-c-0')!.status).toBe('created');

    // summary.md: a "Changed tasks" section with one row per overwritten task, and no other task.
    const md = await runFile(second, 'summary.md');
    const section = md.slice(md.indexOf('## Changed tasks'));
    expect(md).toContain('## Changed tasks');
    expect(section).toContain('4 existing tasks were overwritten by this run');
    for (const name of changed) {
      const was = held.get(name)!;
      expect(section).toContain(
        `| \`${name}\` | local-instance | \`${was.id}\` → \`${was.id}\` | ${new Date(was.modified).toISOString()} |`,
      );
    }
    expect(section).not.toMatch(/audit-b-0|audit-b-2|audit-c-0/);
    expect(section).not.toContain('more (see');

    // tasks.csv: the columns of before, at the end; empty for every task not overwritten.
    const rows = parse(await runFile(second, 'tasks.csv'), { columns: true }) as Record<string, string>[];
    const header = Object.keys(rows[0]!);
    expect(header.slice(-2)).toEqual(['before_task_id', 'before_modified']);
    expect(header.slice(0, 4)).toEqual(['index', 'name', 'status', 'task_id']);
    for (const row of rows) {
      const was = held.get(row.name!);
      if (changed.includes(row.name!))
        expect([row.before_task_id, row.before_modified]).toEqual([was!.id, new Date(was!.modified).toISOString()]);
      else expect([row.before_task_id, row.before_modified]).toEqual(['', '']);
    }

    // 4. Applied once more, unchanged: nothing overwritten, nothing named.
    const third = await apply(manifest('SCHEMA_A2', true));
    expect(third.counts.existing).toBe(7);
    expect(third.tasks.filter((t) => t.before !== undefined)).toEqual([]);
    expect(await runFile(third, 'summary.md')).not.toContain('Changed tasks');
  });
});
