import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, EmulatorConfigError, startEmulator } from '../../../emulator/index.js';
import { BASE, call, createTask, taskBody } from './helpers.js';

const ORACLE = 'b2e8c0d14f6a4e7b9c3d5e7f9a1b3c5d'; // oracle-cdc, a default data source

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ instances: ['local-instance', 'second-instance'] });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

describe('seedTask: a task of another kind', () => {
  it('stores a composite task that the listing shows with its ext_type; a common task has none', async () => {
    await createTask(emu.url, 'common-task');
    const seeded = emu.seedTask({ task_name: 'orders-cdc', ext_type: 'CDC' });
    expect(seeded).toMatchObject({
      project_id: 'local-project',
      instance_id: 'local-instance',
      task_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      task_name: 'orders-cdc',
      task_type: 'REALTIME',
      ext_type: 'CDC',
      status: 'stop',
      execute_status: 'UNSTARTED',
      task_detail: '{}',
      version: 1,
    });
    expect(emu.tasks().map((t) => t.task_name)).toEqual(['common-task', 'orders-cdc']);
    const list = await call(emu.url, 'GET', `${BASE}/tasks`);
    expect(list.json.entities[0]).not.toHaveProperty('ext_type');
    expect(list.json.entities[1]).toMatchObject({
      task_id: seeded.task_id,
      task_name: 'orders-cdc',
      task_type: 'REALTIME',
      ext_type: 'CDC',
    });
    // Found by the fuzzy name filter, as a client looking for its own task would find it.
    expect((await call(emu.url, 'GET', `${BASE}/tasks?name=orders-cdc`)).json.total).toBe(1);
    // Seeding is no FDI call: not counted.
    expect(emu.stats().createsCommitted).toEqual({ 'common-task': 1 });
  });

  it('refuses a PUT with a common-task body: 400 FDI.3033 naming ext_type, the task unchanged', async () => {
    const seeded = emu.seedTask({ task_name: 'cdc-keep', ext_type: 'CDC', task_type: 'TIMING', status: 'running' });
    const res = await call(emu.url, 'PUT', `${BASE}/tasks/${seeded.task_id}`, { body: taskBody('cdc-keep') });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({
      error_code: 'FDI.3033',
      error_msg: expect.stringMatching(/^Invalid parameter \[ext_type\]: .*is a composite task \(CDC\)/),
    });
    expect(emu.tasks()[0]).toEqual(seeded);
    expect(seeded.execute_status).toBe('WAITING');
  });

  it('takes every field, into another instance', async () => {
    const seeded = emu.seedTask({
      instance: 'second-instance',
      task_name: 'full-seed',
      task_type: 'TIMING',
      source_datasource_id: ORACLE,
      target_datasource_id: '30969b205e8f4392a25fb321112d1753',
      description: 'seeded',
      task_tag: 'seed_tag',
      task_detail: '{"sourceSelectedDatasource":{}}',
      status: 'running',
      execute_status: 'ERROR',
    });
    expect(seeded).toMatchObject({ instance_id: 'second-instance', status: 'running', execute_status: 'ERROR' });
    expect(emu.tasks('local-project', 'local-instance')).toEqual([]);
    const shown = await call(emu.url, 'GET', `/v2/local-project/fdi/instances/second-instance/tasks/${seeded.task_id}`);
    expect(shown.json.task).toMatchObject({ task_name: 'full-seed', description: 'seeded', status: 'running' });
    expect(JSON.parse(shown.json.task_detail)).toMatchObject({
      source_datasource: 'oracle-cdc',
      source_selected_datasource: {},
    });
  });

  it.each([
    [{ ext_type: 'CDC' }, /task_name is required/],
    [{ task_name: 'x', task_type: 'realtime' }, /task_type must be one of REALTIME, TIMING/],
    [{ task_name: 'x', extType: 'CDC' }, /extType is not a field/],
    [{ task_name: 'x', instance: 'nowhere' }, /instance "nowhere" is not configured/],
    [{ task_name: 'x', source_datasource_id: 'nope' }, /data source "nope" does not exist/],
    [{ task_name: 'x', task_detail: '[1]' }, /task_detail must hold a JSON object/],
    [{ task_name: '' }, /task_name must be a non-empty string/],
  ])('refuses %j, naming the problem', (spec, message) => {
    expect(() => emu.seedTask(spec as never)).toThrow(EmulatorConfigError);
    expect(() => emu.seedTask(spec as never)).toThrow(message);
    expect(emu.tasks()).toEqual([]);
  });

  it('refuses a name already taken in the instance', async () => {
    await createTask(emu.url, 'taken');
    expect(() => emu.seedTask({ task_name: 'taken', ext_type: 'CDC' })).toThrow(/already exists/);
  });
});

describe('POST /__emulator/tasks', () => {
  it('seeds over HTTP: 200 with the stored task; 400 EMULATOR.0001 naming every problem', async () => {
    const res = await call(emu.url, 'POST', '/__emulator/tasks', {
      auth: false,
      body: { task_name: 'http-cdc', ext_type: 'CDC', task_type: 'REALTIME' },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ task_name: 'http-cdc', ext_type: 'CDC' });
    expect(emu.tasks()).toEqual([res.json]);
    const dup = await call(emu.url, 'POST', '/__emulator/tasks', { auth: false, body: { task_name: 'http-cdc' } });
    expect(dup.status).toBe(400);
    expect(dup.json).toMatchObject({
      error_code: 'EMULATOR.0001',
      error_msg: expect.stringContaining('already exists'),
    });
    const bad = await call(emu.url, 'POST', '/__emulator/tasks', {
      auth: false,
      body: { task_name: 7, status: 'paused' },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error_msg).toMatch(/task_name must be a non-empty string.*status must be one of/);
    for (const body of ['not json', '[1]']) {
      const refused = await call(emu.url, 'POST', '/__emulator/tasks', { auth: false, body });
      expect(refused.status).toBe(400);
    }
    expect(emu.stats().requestsTotal).toBe(0);
  });
});
