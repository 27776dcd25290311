import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';

const EXAMPLES = 'manifests/examples';

describe.concurrent('validate', () => {
  it('says ok with the number of tasks and instances, exit 0', async () => {
    const r = await runCli(['validate', `${EXAMPLES}/bulk-tables.yaml`]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(`ok: 54 tasks in 2 instances (${EXAMPLES}/bulk-tables.yaml)\n`);
  });
  it('--quiet prints nothing for a valid manifest', async () => {
    expect(await runCli(['validate', '--quiet', `${EXAMPLES}/documented-example.yaml`])).toEqual({
      code: 0,
      stdout: '',
      stderr: '',
    });
  });
  it('--json prints one JSON document', async () => {
    const r = await runCli(['validate', '--json', `${EXAMPLES}/everything.yaml`]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      ok: true,
      file: `${EXAMPLES}/everything.yaml`,
      tasks: 8,
      instances: 2,
      problems: [],
    });
  });
  it('lists every problem at once, then a count', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fdi-manifest-'));
    const file = join(dir, 'two-problems.yaml');
    writeFileSync(
      file,
      'version: 1\ntasks:\n  - name: ab\n    task_type: TIMING\n    source_datasource: s\n    target_datasource: t\n    detail: { a: 1 }\n    task_tg: x\n  - name: "x-${nope}"\n    task_type: TIMING\n    source_datasource: s\n    target_datasource: t\n    detail: { a: 1 }\n',
    );
    const r = await runCli(['validate', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:8:5: unknown key "task_tg" in tasks[0]; did you mean "task_tag"?`);
    expect(r.stderr).toContain(`${file}:9:11: task #1 "x-\${nope}": undefined variable "nope" in name`);
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe(`${file}: 2 problems; nothing would be sent`);
  });
  it('a missing file or an unsupported location is a clear error, exit 2', async () => {
    const missing = await runCli(['validate', 'no/such/manifest.yaml']);
    expect(missing).toMatchObject({ code: 2, stdout: '' });
    expect(missing.stderr).toContain('cannot read the manifest no/such/manifest.yaml: no such file');
    const http = await runCli(['validate', 'https://example.com/a.yaml']);
    expect(http.code).toBe(2);
    expect(http.stderr).toContain('unsupported manifest location');
  });
});

describe.concurrent('render', () => {
  it('prints exactly the documented request for the documented example', async () => {
    const r = await runCli(['render', `${EXAMPLES}/documented-example.yaml`]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const expected = readFileSync(new URL('../../fixtures/create-common-task.example.json', import.meta.url), 'utf8');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toEqual(JSON.parse(expected));
    expect(JSON.parse(lines[0]).task_detail).toBe(JSON.parse(expected).task_detail);
    expect(lines[0]).toBe(JSON.stringify(JSON.parse(expected)));
  });
  it('prints one body per task with the fields in request order; names show as placeholders, with a note', async () => {
    const r = await runCli(['render', `${EXAMPLES}/api-to-db.yaml`]);
    expect(r.code).toBe(0);
    const bodies = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(bodies).toHaveLength(3);
    expect(Object.keys(bodies[0])).toEqual(['task', 'task_detail']);
    expect(Object.keys(bodies[0].task)).toEqual([
      'task_name',
      'task_type',
      'source_datasource_id',
      'target_datasource_id',
      'description',
      'task_tag',
    ]);
    expect(bodies[0].task.source_datasource_id).toBe('<name:crm-api>');
    expect(r.stderr).toContain('crm-api (3), oracle-cdc (3)');
  });
  it('--with-target adds target, schedule and start under "_meta", leaving the body as it is', async () => {
    const plain = await runCli(['render', `${EXAMPLES}/timing-scheduled.yaml`]);
    const meta = await runCli(['render', '--with-target', `${EXAMPLES}/timing-scheduled.yaml`]);
    const a = plain.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    const b = meta.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(b.map(({ _meta, ...body }) => body)).toEqual(a);
    expect(b[0]._meta).toEqual({
      index: 0,
      line: 18,
      target: { project_id: 'local-project', instance_id: 'local-instance' },
      schedule: {
        use_quartz_cron: true,
        cron: '0 30 2 * * ?',
        remark: 'nightly orders',
      },
      start: true,
    });
  });
  it('an invalid manifest renders nothing and exits 2 with its problems', async () => {
    const r = await runCli(['render', 'test/fixtures/bad/template-undefined-variable.yaml']);
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toContain('undefined variable "tabel"');
  });
});
