import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../../emulator/index.js';
import { BASE, DS, call, taskBody } from './helpers.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());
beforeEach(() => {
  emu.configure({ detailForm: 'response' });
  emu.reset();
});

/** A request detail with camelCase keys, a snake_case key and nested camelCase keys. */
const SENT = JSON.stringify({
  sourceSelectedDatasource: { pageKeySrcApi: 'pageNum', sourceParams: [{ keys: 'a' }] },
  targetSelectedDatasource: { targetTable: 'T', targetNeedCreateTable: false },
  mappingTable: [],
  mappingRequired: true,
  error_handler: { datasource_id: 'x', mode: 'OBS' },
  afterImplementation: { actionType: 'KAFKA', messageContent: 'done' },
});

const HEAD = [
  'project_id',
  'task_name',
  'task_type',
  'description',
  'source_datasource_type',
  'source_datasource',
  'source_ds_id',
  'target_datasource_type',
  'target_datasource',
  'target_ds_id',
  'need_mqs',
  'need_api',
  'need_email_new',
];
const SECTIONS = [
  'source_selected_datasource',
  'target_selected_datasource',
  'mapping_table',
  'mapping_required',
  'error_handler',
  'after_implementation',
];

function create(name: string, task: Record<string, unknown> = {}, detail = SENT) {
  return call(emu.url, 'POST', `${BASE}/tasks`, { body: taskBody(name, task, detail) });
}

describe('task_detail in the response form (RawFormDataResponse), the default', () => {
  it('create answers the head from the task, then the request keys in snake_case, values unchanged', async () => {
    const res = await create('form-create', { description: 'orders to MySQL' });
    expect(res.status).toBe(200);
    const detail = JSON.parse(res.json.task_detail);
    expect(Object.keys(detail)).toEqual([...HEAD, ...SECTIONS]);
    const sent = JSON.parse(SENT);
    expect(detail).toEqual({
      project_id: 'local-project',
      task_name: 'form-create',
      task_type: 'timing',
      description: 'orders to MySQL',
      source_datasource_type: 'API',
      source_datasource: 'crm-api',
      source_ds_id: DS.crmApi,
      target_datasource_type: 'MYSQL',
      target_datasource: 'fdi-autotest-mysql',
      target_ds_id: DS.example,
      need_mqs: false,
      need_api: false,
      need_email_new: false,
      // Nested keys stay as they were sent.
      source_selected_datasource: sent.sourceSelectedDatasource,
      target_selected_datasource: sent.targetSelectedDatasource,
      mapping_table: [],
      mapping_required: true,
      error_handler: sent.error_handler,
      after_implementation: sent.afterImplementation,
    });
    // The stored detail is what was sent.
    expect(emu.tasks()[0].task_detail).toBe(SENT);
  });

  it('leaves description out when the task has none; a REALTIME task says realtime', async () => {
    const res = await create('form-plain', { task_type: 'REALTIME' });
    const detail = JSON.parse(res.json.task_detail);
    expect(Object.keys(detail)).toEqual([...HEAD.filter((k) => k !== 'description'), ...SECTIONS]);
    expect(detail.task_type).toBe('realtime');
  });

  it('show answers the same string as create (deterministic), and update the new definition', async () => {
    const created = await create('form-show');
    const id = created.json.task.task_id as string;
    const shown = await call(emu.url, 'GET', `${BASE}/tasks/${id}`);
    expect(shown.json.task_detail).toBe(created.json.task_detail);
    expect((await call(emu.url, 'GET', `${BASE}/tasks/${id}`)).json.task_detail).toBe(shown.json.task_detail);
    const updated = await call(emu.url, 'PUT', `${BASE}/tasks/${id}`, {
      body: taskBody('form-show-2', { source_datasource_id: DS.crmApiV2 }, '{"mappingInput":{"dataSource":[]}}'),
    });
    expect(updated.status).toBe(200);
    const detail = JSON.parse(updated.json.task_detail);
    expect(detail).toMatchObject({
      task_name: 'form-show-2',
      source_datasource: 'crm-api-v2',
      source_ds_id: DS.crmApiV2,
      mapping_input: { dataSource: [] },
    });
    expect(detail).not.toHaveProperty('source_selected_datasource');
    expect((await call(emu.url, 'GET', `${BASE}/tasks/${id}`)).json.task_detail).toBe(updated.json.task_detail);
    expect(emu.tasks()[0].task_detail).toBe('{"mappingInput":{"dataSource":[]}}');
  });

  it('writes a request key that names a head field once, with the task’s value', async () => {
    const res = await create('form-clash', {}, '{"taskName":"other","need_api":true,"targetTable":"T"}');
    const detail = JSON.parse(res.json.task_detail);
    expect(detail).toMatchObject({ task_name: 'form-clash', need_api: false, target_table: 'T' });
    expect(res.json.task_detail.match(/"task_name"/g)).toHaveLength(1);
  });
});

describe("detailForm 'request': the request string echoed", () => {
  it('as a start option', async () => {
    const echo = await startEmulator({ detailForm: 'request' });
    try {
      const res = await call(echo.url, 'POST', `${BASE}/tasks`, { body: taskBody('echo-start', {}, SENT) });
      expect(res.json.task_detail).toBe(SENT);
      const shown = await call(echo.url, 'GET', `${BASE}/tasks/${res.json.task.task_id}`);
      expect(shown.json.task_detail).toBe(SENT);
    } finally {
      await echo.close();
    }
  });

  it('after configure(), and back', async () => {
    const id = (await create('echo-configured')).json.task.task_id as string;
    emu.configure({ detailForm: 'request' });
    expect((await call(emu.url, 'GET', `${BASE}/tasks/${id}`)).json.task_detail).toBe(SENT);
    const updated = await call(emu.url, 'PUT', `${BASE}/tasks/${id}`, {
      body: taskBody('echo-configured', {}, '{"a":1}'),
    });
    expect(updated.json.task_detail).toBe('{"a":1}');
    // Other settings left out of a patch do not switch the form back.
    emu.configure({ latencyMs: 0 });
    expect((await call(emu.url, 'GET', `${BASE}/tasks/${id}`)).json.task_detail).toBe('{"a":1}');
    emu.configure({ detailForm: 'response' });
    expect(JSON.parse((await call(emu.url, 'GET', `${BASE}/tasks/${id}`)).json.task_detail)).toMatchObject({ a: 1 });
  });

  it('over POST /__emulator/config, shown by GET /__emulator/config; a bad value is refused', async () => {
    const id = (await create('echo-http')).json.task.task_id as string;
    expect((await call(emu.url, 'GET', '/__emulator/config', { auth: false })).json.detailForm).toBe('response');
    const ok = await call(emu.url, 'POST', '/__emulator/config', { auth: false, body: { detailForm: 'request' } });
    expect(ok.status).toBe(200);
    expect(ok.json.detailForm).toBe('request');
    expect((await call(emu.url, 'GET', `${BASE}/tasks/${id}`)).json.task_detail).toBe(SENT);
    const bad = await call(emu.url, 'POST', '/__emulator/config', { auth: false, body: { detailForm: 'camel' } });
    expect(bad.status).toBe(400);
    expect(bad.json.error_msg).toMatch(/detailForm must be one of "response", "request"/);
    expect(() => emu.configure({ detailForm: 'raw' as never })).toThrow(/detailForm/);
  });
});
