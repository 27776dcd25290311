import { readFileSync, readdirSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  type ExpandedTask,
  compileManifest,
  formatProblem,
  toCreateRequest,
  unresolvedId,
} from '../../../lib/manifest/index.js';

const DIR = 'manifests/examples';
const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml'));

function tasksOf(file: string): ExpandedTask[] {
  const { manifest, problems } = compileManifest(readFileSync(`${DIR}/${file}`), `${DIR}/${file}`);
  expect(problems.map(formatProblem)).toEqual([]);
  return [...manifest!.tasks()];
}

describe('every example', () => {
  const ajv = new Ajv({ strict: false, allErrors: true });
  const validate = ajv.compile(JSON.parse(readFileSync('schema/manifest.schema.json', 'utf8')));

  it('is there', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'documented-example.yaml',
        'bulk-tables.yaml',
        'api-to-db.yaml',
        'timing-scheduled.yaml',
        'everything.yaml',
      ]),
    );
  });
  it.each(files)('%s compiles without problems, names the schema and validates against it', (file) => {
    const text = readFileSync(`${DIR}/${file}`, 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../../schema/manifest.schema.json');
    expect(tasksOf(file).length).toBeGreaterThan(0);
    const ok = validate(parse(text));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });
});

describe('documented-example.yaml', () => {
  const example = readFileSync(new URL('../../fixtures/create-common-task.example.json', import.meta.url), 'utf8');
  const expected = JSON.parse(example) as { task: Record<string, string>; task_detail: string };

  it('renders exactly the documented request: equal body, byte-identical task_detail', () => {
    const [task] = tasksOf('documented-example.yaml');
    const body = toCreateRequest(task, { source: unresolvedId(task.source), target: unresolvedId(task.target_ds) });
    expect(body).toEqual(expected);
    expect(body.task_detail).toBe(expected.task_detail);
    expect(JSON.stringify(body.task)).toBe(JSON.stringify(expected.task));
  });
});

describe('bulk-tables.yaml', () => {
  it('expands one template into 50+ tasks over two instances of local-project', () => {
    const tasks = tasksOf('bulk-tables.yaml');
    expect(tasks.length).toBeGreaterThanOrEqual(50);
    expect(new Set(tasks.map((t) => t.target.instance_id))).toEqual(new Set(['local-instance', 'local-instance-2']));
    expect(tasks.every((t) => t.target.project_id === 'local-project')).toBe(true);
    expect(new Set(tasks.map((t) => `${t.target.instance_id}/${t.name}`)).size).toBe(tasks.length);
    expect(tasks.every((t) => t.schedule?.use_quartz_cron === true)).toBe(true);
  });
});

describe('api-to-db.yaml', () => {
  it('generates the column list, the metadata and the mapping with $map from the task columns', () => {
    const yaml = parse(readFileSync(`${DIR}/api-to-db.yaml`, 'utf8')) as {
      tasks: Array<{ vars: { columns: Array<{ name: string; source: string }> } }>;
    };
    const tasks = tasksOf('api-to-db.yaml');
    tasks.forEach((task, i) => {
      const columns = yaml.tasks[i].vars.columns;
      const detail = JSON.parse(task.task_detail);
      expect(
        detail.targetSelectedDatasource.targetSelectedColumnList.map((c: { field_name: string }) => c.field_name),
      ).toEqual(columns.map((c) => c.name));
      expect(detail.mappingInput.dataSource).toEqual(columns.map((c) => ({ sourceKey: c.source, targetKey: c.name })));
      expect(detail.sourceSelectedDatasource.sourceMetaData.dataSource.map((d: { index: number }) => d.index)).toEqual(
        columns.map((_, n) => n),
      );
      expect(task.source).toEqual({ name: 'crm-api' });
    });
  });
});

describe('timing-scheduled.yaml', () => {
  it('has TIMING tasks with a schedule in dispatch form, started after creation', () => {
    const tasks = tasksOf('timing-scheduled.yaml');
    expect(tasks.map((t) => [t.task_type, t.start, t.schedule])).toEqual([
      ['TIMING', true, { use_quartz_cron: true, cron: '0 30 2 * * ?', remark: 'nightly orders' }],
      [
        'TIMING',
        true,
        {
          use_quartz_cron: false,
          period: 'HOUR',
          dispatch_interval: 2,
          start_datetime: Date.parse('2025-01-01T00:00:00+08:00'),
        },
      ],
    ]);
  });
});
