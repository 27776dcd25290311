import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { knownKeys } from '../../../lib/manifest/schema-problems.js';
import { manifestSchemaText } from '../../../lib/manifest/schema-file.js';
import { closest } from '../../../lib/manifest/suggest.js';
import { HEAD, entry, problemsOf } from './helpers.js';

describe('schema/manifest.schema.json', () => {
  it('is current (run `npm run schema` after changing lib/manifest/schema.ts)', () => {
    expect(readFileSync('schema/manifest.schema.json', 'utf8')).toBe(manifestSchemaText());
  });
  it('is a valid draft-07 schema that rejects unknown keys', () => {
    const validate = new Ajv({ strict: false }).compile(JSON.parse(manifestSchemaText()));
    expect(validate({ version: 1, tasks: [{ name: 'abc', task_type: 'TIMING' }] })).toBe(true);
    expect(validate({ version: 1, tasks: [{ name: 'abc', task_tg: 'x' }] })).toBe(false);
    expect(validate({ version: 1, tasks: [{ name: 'abc', task_type: 'TIMNG' }] })).toBe(false);
  });
});

describe('unknown keys', () => {
  it('knows the keys at each place', () => {
    expect(knownKeys([])).toContain('templates');
    expect(knownKeys(['tasks', 0])).toContain('task_tag');
    expect(knownKeys(['templates', 'x'])).not.toContain('name');
    expect(knownKeys(['tasks', 3, 'schedule'])).toEqual([
      'cron',
      'timezone',
      'period',
      'interval',
      'start_datetime',
      'remark',
    ]);
    expect(knownKeys(['options', 'failure_threshold'])).toEqual(['percent', 'min_attempted']);
    expect(knownKeys(['defaults', 'source_datasource'])).toEqual(['name', 'id']);
  });
  it.each([
    ['task_tg', 'task_tag'],
    ['taks_type', 'task_type'],
    ['schedul', 'schedule'],
    ['detail_jsn', 'detail_json'],
    ['detial', 'detail'],
    ['zzz', undefined],
  ])('suggests for %s', (word, want) => {
    expect(closest(word, knownKeys(['tasks', 0]))).toBe(want);
  });
  it.each([
    [
      'top level',
      'version: 1\ntasks:\n' + entry('abc') + 'defualts: {}\n',
      'unknown key "defualts" in the manifest; did you mean "defaults"?',
      8,
    ],
    [
      'options',
      'version: 1\noptions: { concurency: 2 }\ntasks:\n' + entry('abc'),
      'unknown key "concurency" in options; did you mean "concurrency"?',
      2,
    ],
    [
      'target',
      'version: 1\ntarget: { instance: x }\ntasks:\n' + entry('abc'),
      'unknown key "instance" in target; did you mean "instance_id"?',
      2,
    ],
    [
      'a data source',
      HEAD + entry('abc').replace('{ name: oracle-cdc }', '{ nmae: oracle-cdc }'),
      'unknown key "nmae" in tasks[0].target_datasource; did you mean "name"?',
      6,
    ],
    [
      'a template',
      'version: 1\ntemplates:\n  t: { descripton: x }\ntasks:\n' + entry('abc'),
      'unknown key "descripton" in template "t"; did you mean "description"?',
      3,
    ],
  ])('in %s', (_where, yaml, message, line) => {
    const [p] = problemsOf(yaml);
    expect(p).toMatchObject({ kind: 'schema', message, line });
    expect(p.hint).toMatch(/^the keys here are: /);
  });
});
