import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../../emulator/index.js';
import { BASE, DS, call, createTask } from './helpers.js';

const OTHER_APP = '11111111-2222-3333-4444-555555555555';
const DATASOURCES = [
  { datasource_id: DS.crmApi, datasource_name: 'crm-api', datasource_type: 'API', app_id: 'app-a' },
  { datasource_id: DS.example, datasource_name: 'mysql', datasource_type: 'MYSQL', app_id: 'app-a' },
  {
    datasource_id: 'remote-ds',
    datasource_name: 'remote',
    datasource_type: 'KAFKA',
    app_id: OTHER_APP,
    instance_id: 'other-instance',
  },
];

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ datasources: DATASOURCES });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

async function names(query: string): Promise<string[]> {
  const res = await call(emu.url, 'GET', `${BASE}/tasks?${query}`);
  expect(res.status, query).toBe(200);
  return res.json.entities.map((e: { task_name: string }) => e.task_name);
}

describe('list entries (BriefTaskRespBean)', () => {
  it('carry the instance of each data source, enterprise project "0" and an ISO created_date', async () => {
    await createTask(emu.url, 'to-remote', { target_datasource_id: 'remote-ds', task_tag: 'wave' });
    const [entry] = (await call(emu.url, 'GET', `${BASE}/tasks`)).json.entities;
    const stored = emu.tasks()[0];
    expect(Object.keys(entry)).toEqual([
      'task_id',
      'task_name',
      'task_type',
      'status',
      'created_date',
      'version',
      'last_modified_time',
      'execute_status',
      'source_app_id',
      'target_app_id',
      'source_instance_id',
      'target_instance_id',
      'enterprise_project_id',
      'task_tag',
    ]);
    expect(entry).toMatchObject({
      created_date: new Date(stored.created_date).toISOString(),
      last_modified_time: stored.last_modified_date,
      source_app_id: 'app-a',
      target_app_id: OTHER_APP,
      source_instance_id: 'local-instance',
      target_instance_id: 'other-instance',
      enterprise_project_id: '0',
    });
    expect(entry.created_date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });
});

describe('the filters of the SDK’s ListTasksRequest', () => {
  let ids: Record<string, string>;
  beforeEach(async () => {
    ids = {
      a: await createTask(emu.url, 'alpha', { task_tag: 'tag_a' }),
      b: await createTask(emu.url, 'beta', { task_type: 'REALTIME', source_datasource_id: 'remote-ds' }),
      c: await createTask(emu.url, 'alphabet', { target_datasource_id: 'remote-ds' }),
    };
    await call(emu.url, 'POST', `${BASE}/batch-operation/tasks`, {
      body: { action_id: 'start', list: [{ task_id: ids.b }] },
    });
  });

  it.each([
    ['name=alpha', ['alpha', 'alphabet']],
    ['status=1', ['beta']],
    ['status=0', ['alpha', 'alphabet']],
    ['task_type=realtime', ['beta']],
    ['task_type=timing', ['alpha', 'alphabet']],
    ['source_datasource_id=remote-ds', ['beta']],
    [`target_datasource_id=remote-ds`, ['alphabet']],
    ['execute_status=RUNNING', ['beta']],
    ['execute_status=UNSTARTED', ['alpha', 'alphabet']],
    [`source_app_id=${OTHER_APP}`, ['beta']],
    ['source_app_id=app-a', ['alpha', 'alphabet']],
    [`target_app_id=${OTHER_APP}`, ['alphabet']],
    ['task_tag=tag_a', ['alpha']],
    ['name=alpha&task_type=timing&target_app_id=app-a', ['alpha']],
  ])('%s', async (query, expected) => {
    expect(await names(query)).toEqual(expected);
  });

  it('task_id', async () => {
    expect(await names(`task_id=${ids.c}`)).toEqual(['alphabet']);
  });

  it.each([
    'task_name=beta',
    'datasource_id=remote-ds',
    'task_mode=CDC',
    'unknown=1',
    'sort_field=STATUS&sort_type=DESC',
  ])('ignores %s, a parameter the SDK does not have (or sorting)', async (query) => {
    expect(await names(query)).toEqual(['alpha', 'beta', 'alphabet']);
  });
});
