import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../../emulator/index.js';
import { BASE, DS, call, createTask } from './helpers.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

const PERIOD = { period: 'DAY', dispatch_interval: 1, start_datetime: 1_700_000_000_000, use_quartz_cron: false };
const CRON = { use_quartz_cron: true, cron: '0 30 2 * * ?', remark: 'nightly run' };

describe('dispatches of TIMING tasks', () => {
  it('creates, shows and updates the single dispatch of a task', async () => {
    const id = await createTask(emu.url, 'timed-task');
    expect((await call(emu.url, 'GET', `${BASE}/tasks/${id}/dispatches`)).status).toBe(404);
    const created = await call(emu.url, 'POST', `${BASE}/tasks/${id}/dispatches`, { body: PERIOD });
    expect(created.status).toBe(200);
    expect(created.json).toEqual({
      ...PERIOD,
      dispatch_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      task_id: id,
      created_date: expect.any(Number),
      last_modified_date: expect.any(Number),
    });
    const shown = await call(emu.url, 'GET', `${BASE}/tasks/${id}/dispatches`);
    expect(shown.json).toEqual(created.json);
    const dispatchId = created.json.dispatch_id as string;
    const updated = await call(emu.url, 'PUT', `${BASE}/tasks/${id}/dispatches/${dispatchId}`, { body: CRON });
    expect(updated.status).toBe(200);
    expect(updated.json).toMatchObject({ ...CRON, dispatch_id: dispatchId, task_id: id });
    expect(updated.json).not.toHaveProperty('period');
    expect((await call(emu.url, 'GET', `${BASE}/tasks/${id}/dispatches`)).json.cron).toBe(CRON.cron);
  });

  it('refuses a second POST: the dispatch must be updated with PUT', async () => {
    const id = await createTask(emu.url, 'twice-timed');
    await call(emu.url, 'POST', `${BASE}/tasks/${id}/dispatches`, { body: PERIOD });
    const res = await call(emu.url, 'POST', `${BASE}/tasks/${id}/dispatches`, { body: CRON });
    expect(res.status).toBe(400);
    expect(res.json.error_msg).toContain('already has a dispatch');
  });

  it('refuses a dispatch for a REALTIME task, for a missing task, and a PUT with a wrong dispatch ID', async () => {
    const rt = await createTask(emu.url, 'realtime-task', { task_type: 'REALTIME' });
    const res = await call(emu.url, 'POST', `${BASE}/tasks/${rt}/dispatches`, { body: PERIOD });
    expect(res.status).toBe(400);
    expect(res.json.error_msg).toContain('only TIMING tasks');
    const missing = await call(emu.url, 'POST', `${BASE}/tasks/0123456789abcdef0123456789abcdef/dispatches`, {
      body: PERIOD,
    });
    expect(missing.json.error_code).toBe('FDI.3081');
    const t = await createTask(emu.url, 'timed-2');
    await call(emu.url, 'POST', `${BASE}/tasks/${t}/dispatches`, { body: PERIOD });
    expect((await call(emu.url, 'PUT', `${BASE}/tasks/${t}/dispatches/not-this-one`, { body: CRON })).status).toBe(404);
  });

  it.each([
    ['period outside MIN/HOUR/DAY/WEEK/MON', { period: 'YEAR', dispatch_interval: 1 }, 'period'],
    ['period missing without cron', { dispatch_interval: 1 }, 'period'],
    ['dispatch_interval below 1', { period: 'MIN', dispatch_interval: 0 }, 'dispatch_interval'],
    ['dispatch_interval above 59', { period: 'MIN', dispatch_interval: 60 }, 'dispatch_interval'],
    ['cron missing with use_quartz_cron', { use_quartz_cron: true }, 'cron'],
    ['cron shorter than 8 chars', { use_quartz_cron: true, cron: '* * * *' }, 'cron'],
    ['cron longer than 255 chars', { use_quartz_cron: true, cron: `0 0 0 * * ? ${'1'.repeat(250)}` }, 'cron'],
    ['cron with 5 fields', { use_quartz_cron: true, cron: '30 2 * * ?' + '   ' }, 'cron'],
    ['remark shorter than 8 chars', { ...PERIOD, remark: '123' }, 'remark'],
    ['remark longer than 36 chars', { ...PERIOD, remark: 'r'.repeat(37) }, 'remark'],
    ['start_datetime as an ISO string', { ...PERIOD, start_datetime: '2024-01-01T00:00:00Z' }, 'start_datetime'],
    ['an unknown field', { ...PERIOD, every: 'day' }, 'every'],
  ])('refuses %s with 400 FDI.3033', async (_rule, body, field) => {
    const id = await createTask(emu.url, 'validate-dispatch');
    const res = await call(emu.url, 'POST', `${BASE}/tasks/${id}/dispatches`, { body });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error_code: 'FDI.3033', error_msg: expect.stringContaining(`[${field}]`) });
    expect(emu.tasks()[0].dispatch).toBeUndefined();
  });

  it('accepts a 7-field cron', async () => {
    const id = await createTask(emu.url, 'seven-fields');
    expect(
      (
        await call(emu.url, 'POST', `${BASE}/tasks/${id}/dispatches`, {
          body: { use_quartz_cron: true, cron: '0 0 12 * * ? 2030' },
        })
      ).status,
    ).toBe(200);
  });
});

describe('data sources', () => {
  it('lists every seeded data source, including those of the documented example', async () => {
    const res = await call(emu.url, 'GET', `${BASE}/datasources?limit=100`);
    expect(res.status).toBe(200);
    const ids = res.json.entities.map((d: { datasource_id: string }) => d.datasource_id);
    expect(ids).toEqual(
      expect.arrayContaining([DS.example, '79c4caaa3e1441dfb0351038fcf5f281', 'a87a31a6288e4698865be122ae485dc0']),
    );
    expect(res.json.total).toBe(ids.length);
    expect(res.json.entities[0]).toMatchObject({
      datasource_name: expect.any(String),
      datasource_type: expect.any(String),
      app_id: expect.any(String),
      instance_id: 'local-instance',
    });
  });

  it('filters name fuzzily: "crm-api" also finds "crm-api-v2"', async () => {
    const res = await call(emu.url, 'GET', `${BASE}/datasources?name=crm-api`);
    expect(res.json.entities.map((d: { datasource_name: string }) => d.datasource_name)).toEqual([
      'crm-api',
      'crm-api-v2',
    ]);
    const v2 = await call(emu.url, 'GET', `${BASE}/datasources?name=api-v2`);
    expect(v2.json).toMatchObject({ total: 1, size: 1 });
  });

  it('filters by datasource_type and pages', async () => {
    const api = await call(emu.url, 'GET', `${BASE}/datasources?datasource_type=API`);
    expect(api.json.total).toBe(2);
    const paged = await call(emu.url, 'GET', `${BASE}/datasources?offset=1&limit=2`);
    expect(paged.json.size).toBe(2);
    expect(paged.json.total).toBeGreaterThan(2);
  });

  it('shows one data source with its fields at top level; 404 when missing', async () => {
    const res = await call(emu.url, 'GET', `${BASE}/datasources/${DS.crmApi}`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ datasource_id: DS.crmApi, datasource_name: 'crm-api', datasource_type: 'API' });
    const missing = await call(emu.url, 'GET', `${BASE}/datasources/nope`);
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({
      error_code: expect.any(String),
      error_msg: expect.stringContaining('does not exist'),
    });
  });

  it('uses the data sources given in the options', async () => {
    const custom = await startEmulator({
      datasources: [{ datasource_id: 'only-one', datasource_name: 'solo', datasource_type: 'MYSQL', app_id: 'app' }],
    });
    try {
      const res = await call(custom.url, 'GET', `${BASE}/datasources`);
      expect(res.json.entities).toEqual([
        expect.objectContaining({ datasource_id: 'only-one', datasource_name: 'solo' }),
      ]);
    } finally {
      await custom.close();
    }
  });
});
