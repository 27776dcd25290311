import { describe, expect, it } from 'vitest';
import type { DataSource } from '../../../lib/fdi/model/api.js';
import { responseDetail, snakeCase } from '../../../emulator/detail-form.js';
import type { TaskRecord } from '../../../emulator/state.js';

describe('snakeCase', () => {
  it.each([
    ['sourceSelectedDatasource', 'source_selected_datasource'],
    ['mappingTable', 'mapping_table'],
    ['afterImplementation', 'after_implementation'],
    ['error_handler', 'error_handler'],
    ['isNeedPageSrcApi', 'is_need_page_src_api'],
    ['timeZone', 'time_zone'],
    ['httpURLPath', 'http_url_path'],
    ['x', 'x'],
  ])('%s → %s', (key, snake) => {
    expect(snakeCase(key)).toBe(snake);
  });
});

const DATASOURCES = new Map<string, DataSource>([
  ['s', { datasource_id: 's', datasource_name: 'src', datasource_type: 'API', app_id: 'a' }],
  ['t', { datasource_id: 't', datasource_name: 'dst', datasource_type: 'MYSQL', app_id: 'a' }],
]);

function task(detail: string, extra: Partial<TaskRecord> = {}): TaskRecord {
  return {
    project_id: 'p',
    instance_id: 'i',
    task_id: 'id',
    task_name: 'n',
    task_type: 'TIMING',
    source_datasource_id: 's',
    target_datasource_id: 't',
    task_detail: detail,
    status: 'stop',
    execute_status: 'UNSTARTED',
    created_date: 1,
    last_modified_date: 1,
    version: 1,
    ...extra,
  };
}

const HEAD = `{"project_id":"p","task_name":"n","task_type":"timing","source_datasource_type":"API","source_datasource":"src","source_ds_id":"s","target_datasource_type":"MYSQL","target_datasource":"dst","target_ds_id":"t","need_mqs":false,"need_api":false,"need_email_new":false`;

describe('responseDetail', () => {
  it('writes the head, then the request keys in snake_case, values (nested keys too) unchanged', () => {
    const out = responseDetail(
      task('{"mappingInput":{"dataSource":[{"sourceKey":"a"}]},"error_handler":null}'),
      DATASOURCES,
    );
    expect(out).toBe(`${HEAD},"mapping_input":{"dataSource":[{"sourceKey":"a"}]},"error_handler":null}`);
  });

  it('is deterministic, and puts description after task_type when set', () => {
    const t = task('{"a":1}', { description: 'd', task_type: 'REALTIME' });
    const out = responseDetail(t, DATASOURCES);
    expect(responseDetail(structuredClone(t), DATASOURCES)).toBe(out);
    expect(Object.keys(JSON.parse(out)).slice(0, 4)).toEqual(['project_id', 'task_name', 'task_type', 'description']);
    expect(JSON.parse(out).task_type).toBe('realtime');
  });

  it('writes each key once: a head key and the first of two request keys with the same snake_case name win', () => {
    const out = responseDetail(task('{"projectId":"x","mappingTable":[1],"mapping_table":[2]}'), DATASOURCES);
    expect(out).toBe(`${HEAD},"mapping_table":[1]}`);
  });

  it('keeps "__proto__" a plain key, and writes only the head for a detail that is not a JSON object', () => {
    const out = responseDetail(task('{"__proto__":{"polluted":true}}'), DATASOURCES);
    expect(out).toBe(`${HEAD},"__proto__":{"polluted":true}}`);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(responseDetail(task('[1,2]'), DATASOURCES)).toBe(`${HEAD}}`);
  });

  it('leaves out the type and name of a data source it does not know', () => {
    const out = JSON.parse(responseDetail(task('{}', { source_datasource_id: 'gone' }), DATASOURCES));
    expect(out).not.toHaveProperty('source_datasource_type');
    expect(out).not.toHaveProperty('source_datasource');
    expect(out.source_ds_id).toBe('gone');
  });
});
