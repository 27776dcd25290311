import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../../emulator/index.js';
import { BASE, DS, call, createTask, taskBody } from './helpers.js';

const EXAMPLE = readFileSync(new URL('../../fixtures/create-common-task.example.json', import.meta.url));

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ maxTasks: 5 });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

describe('POST /tasks: the documented example', () => {
  it('answers 200 with a TaskBasicRsp in the response casing and task_detail in the response form', async () => {
    const res = await call(emu.url, 'POST', `${BASE}/tasks`, { body: EXAMPLE });
    expect(res.status).toBe(200);
    const sent = JSON.parse(EXAMPLE.toString('utf8'));
    expect(res.json.task).toEqual({
      task_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      task_name: 'fdi_task_v2mysql-tomysql',
      task_type: 'timing',
      status: 'stop',
      project_id: 'local-project',
      source_datasource_id: DS.example,
      target_datasource_id: DS.example,
      source_datasource_name: 'fdi-autotest-mysql',
      target_datasource_name: 'fdi-autotest-mysql',
      source_app_id: '73965e3c-72b2-40c3-8335-2154ebd6c23a',
      target_app_id: '73965e3c-72b2-40c3-8335-2154ebd6c23a',
      source_app_name: 'local-app',
      target_app_name: 'local-app',
      created_date: expect.any(Number),
      last_modified_date: expect.any(Number),
      description: 'mysql',
      task_tag: 'fdi_autotest',
    });
    // RawFormDataResponse: the head from the task, then the request's sections in snake_case.
    const detail = JSON.parse(res.json.task_detail);
    const request = JSON.parse(sent.task_detail);
    expect(detail).toMatchObject({
      project_id: 'local-project',
      task_name: 'fdi_task_v2mysql-tomysql',
      task_type: 'timing',
      description: 'mysql',
      source_datasource: 'fdi-autotest-mysql',
      source_selected_datasource: request.sourceSelectedDatasource,
      target_selected_datasource: request.targetSelectedDatasource,
      error_handler: request.error_handler,
      after_implementation: request.afterImplementation,
    });
    // What was sent is kept as sent.
    expect(emu.tasks()[0].task_detail).toBe(sent.task_detail);
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(res.headers['content-type']).toBe('application/json;charset=UTF-8');
  });

  it('omits description and task_tag when the request has none; REALTIME becomes realtime', async () => {
    const res = await call(emu.url, 'POST', `${BASE}/tasks`, {
      body: taskBody('plain-task', { task_type: 'REALTIME' }),
    });
    expect(res.status).toBe(200);
    expect(res.json.task.task_type).toBe('realtime');
    expect(res.json.task).not.toHaveProperty('description');
    expect(res.json.task).not.toHaveProperty('task_tag');
    expect(emu.tasks()).toHaveLength(1);
  });
});

const long = (n: number) => 'a'.repeat(n);

// One row per documented rule (docs/FDI-API.md §3): the body change and the field the 400 must name.
const RULES: Array<[rule: string, task: Record<string, unknown> | null, detail: unknown, field: string]> = [
  ['task_name is required', { task_name: undefined }, undefined, 'task.task_name'],
  ['task_name has at least 3 chars', { task_name: 'ab' }, undefined, 'task.task_name'],
  ['task_name has at most 100 chars', { task_name: long(101) }, undefined, 'task.task_name'],
  ['task_name starts with a letter or digit', { task_name: '_abc' }, undefined, 'task.task_name'],
  ['task_name has only letters, digits, . _ -', { task_name: 'ab c' }, undefined, 'task.task_name'],
  ['task_type is required', { task_type: undefined }, undefined, 'task.task_type'],
  ['task_type is REALTIME or TIMING (uppercase)', { task_type: 'timing' }, undefined, 'task.task_type'],
  ['source_datasource_id is required', { source_datasource_id: undefined }, undefined, 'task.source_datasource_id'],
  ['source_datasource_id has at least 1 char', { source_datasource_id: '' }, undefined, 'task.source_datasource_id'],
  [
    'source_datasource_id has at most 64 chars',
    { source_datasource_id: long(65) },
    undefined,
    'task.source_datasource_id',
  ],
  ['target_datasource_id is required', { target_datasource_id: undefined }, undefined, 'task.target_datasource_id'],
  [
    'target_datasource_id has at most 64 chars',
    { target_datasource_id: long(65) },
    undefined,
    'task.target_datasource_id',
  ],
  ['description has at least 1 char when given', { description: '' }, undefined, 'task.description'],
  ['description has at most 1024 chars', { description: long(1025) }, undefined, 'task.description'],
  ['task_tag has at least 4 chars', { task_tag: 'abc' }, undefined, 'task.task_tag'],
  ['task_tag has at most 64 chars', { task_tag: long(65) }, undefined, 'task.task_tag'],
  ['task_tag has only letters, digits, - _', { task_tag: 'wave.1' }, undefined, 'task.task_tag'],
  ['task has no unknown fields', { schedule: '0 0 * * * ?' }, undefined, 'task.schedule'],
  ['task is required', null, undefined, 'task'],
  ['task_detail is required', {}, null, 'task_detail'],
  ['task_detail is not empty', {}, '', 'task_detail'],
  ['task_detail is a string', {}, { a: 1 }, 'task_detail'],
  ['task_detail holds JSON', {}, 'not json', 'task_detail'],
  ['task_detail holds a JSON object', {}, '[1,2]', 'task_detail'],
];

describe('POST /tasks: every create rule answers 400 FDI.3033 naming the field', () => {
  it.each(RULES)('%s', async (_rule, task, detail, field) => {
    const valid = taskBody('valid-name');
    const body: Record<string, unknown> = {
      task: task === null ? undefined : { ...valid.task, ...task },
      task_detail: detail === undefined ? valid.task_detail : detail === null ? undefined : detail,
    };
    const res = await call(emu.url, 'POST', `${BASE}/tasks`, { body });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      error_code: 'FDI.3033',
      error_msg: expect.stringContaining(`Invalid parameter [${field}]`),
      request_id: res.headers['x-request-id'],
    });
    expect(emu.tasks()).toHaveLength(0);
  });

  it('names every violation in one message', async () => {
    const res = await call(emu.url, 'POST', `${BASE}/tasks`, { body: taskBody('x', { task_tag: 'a.b' }) });
    expect(res.status).toBe(400);
    expect(res.json.error_msg).toMatch(/^Invalid parameter \[task\.task_name\]: .*\[task\.task_tag\]: /);
  });

  it('accepts the boundary values of every rule', async () => {
    const res = await call(emu.url, 'POST', `${BASE}/tasks`, {
      body: taskBody(`9${long(99)}`, { description: long(1024), task_tag: 'ab-_' }, '{}'),
    });
    expect(res.status).toBe(200);
    expect(
      (await call(emu.url, 'POST', `${BASE}/tasks`, { body: taskBody('a.b', { task_tag: long(64) }) })).status,
    ).toBe(200);
  });

  it('answers 400 FDI.3002 to a body that is not JSON', async () => {
    const res = await call(emu.url, 'POST', `${BASE}/tasks`, { body: '{"task":' });
    expect(res.status).toBe(400);
    expect(res.json.error_code).toBe('FDI.3002');
  });
});

describe('POST /tasks: what only the server knows', () => {
  it('refuses a duplicate name in the instance with 400 "already exists" and counts it', async () => {
    await createTask(emu.url, 'dup-task');
    const res = await call(emu.url, 'POST', `${BASE}/tasks`, { body: taskBody('dup-task', { task_type: 'REALTIME' }) });
    expect(res.status).toBe(400);
    expect(res.json.error_code).toBe('FDI.3033');
    expect(res.json.error_msg).toContain('already exists');
    expect(emu.tasks()).toHaveLength(1);
    expect(emu.stats()).toMatchObject({
      duplicateNameRejections: 1,
      createAttempts: { 'dup-task': 2 },
      createsCommitted: { 'dup-task': 1 },
    });
  });

  it.each([
    ['source_datasource_id', { source_datasource_id: 'no-such-source' }],
    ['target_datasource_id', { target_datasource_id: 'no-such-target' }],
  ])('refuses an unknown %s with 400 FDI.3033', async (field, task) => {
    const res = await call(emu.url, 'POST', `${BASE}/tasks`, { body: taskBody('ds-task', task) });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error_code: 'FDI.3033', error_msg: `Invalid parameter [${field}].` });
  });

  it.each([
    ['project', '/v2/other-project/fdi/instances/local-instance/tasks'],
    ['instance', '/v2/local-project/fdi/instances/other-instance/tasks'],
  ])('answers 404 for an unknown %s', async (what, path) => {
    const res = await call(emu.url, 'POST', path, { body: taskBody('lost-task') });
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ error_code: 'ROMA.00014000', error_msg: expect.stringContaining(what) });
    expect((await call(emu.url, 'GET', path)).status).toBe(404);
  });

  it('enforces the task quota of the instance', async () => {
    for (let i = 0; i < 5; i += 1) await createTask(emu.url, `quota-${i}`);
    const res = await call(emu.url, 'POST', `${BASE}/tasks`, { body: taskBody('quota-5') });
    expect(res.status).toBe(400);
    expect(res.json.error_msg).toMatch(/quota .*\(5 tasks\)/);
    expect(emu.tasks()).toHaveLength(5);
    // A duplicate is still reported as a duplicate when the instance is full.
    const dup = await call(emu.url, 'POST', `${BASE}/tasks`, { body: taskBody('quota-0') });
    expect(dup.json.error_msg).toContain('already exists');
    emu.configure({ maxTasks: 6 });
    expect((await call(emu.url, 'POST', `${BASE}/tasks`, { body: taskBody('quota-5') })).status).toBe(200);
    emu.configure({ maxTasks: 5 });
  });
});
