import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../../emulator/index.js';
import { BASE, DS, call, createTask, taskBody } from './helpers.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

describe('GET /tasks', () => {
  it('lists in creation order as BriefTaskRespBean: uppercase type, integer status, an ISO created_date', async () => {
    const a = await createTask(emu.url, 'list-a', { task_tag: 'wave_1' });
    const b = await createTask(emu.url, 'list-b', { task_type: 'REALTIME' });
    const res = await call(emu.url, 'GET', `${BASE}/tasks`);
    expect(res.status).toBe(200);
    expect(res.json.total).toBe(2);
    expect(res.json.size).toBe(2);
    expect(res.json.entities.map((e: { task_id: string }) => e.task_id)).toEqual([a, b]);
    expect(res.json.entities[0]).toEqual({
      task_id: a,
      task_name: 'list-a',
      task_type: 'TIMING',
      status: 0,
      created_date: new Date(emu.tasks()[0].created_date).toISOString(),
      version: '1',
      last_modified_time: emu.tasks()[0].last_modified_date,
      execute_status: 'UNSTARTED',
      source_app_id: expect.any(String),
      target_app_id: expect.any(String),
      source_instance_id: 'local-instance',
      target_instance_id: 'local-instance',
      enterprise_project_id: '0',
      task_tag: 'wave_1',
    });
    expect(res.json.entities[0]).not.toHaveProperty('ext_type');
    expect(res.json.entities[1]).not.toHaveProperty('task_tag');
    expect(res.json.entities[1].task_type).toBe('REALTIME');
  });

  it('pages with offset (0-based, < 0 → 0) and limit (default 10, > 999 → 999)', async () => {
    for (let i = 0; i < 12; i += 1) await createTask(emu.url, `page-${String(i).padStart(2, '0')}`);
    const first = await call(emu.url, 'GET', `${BASE}/tasks`);
    expect(first.json).toMatchObject({ total: 12, size: 10 });
    const second = await call(emu.url, 'GET', `${BASE}/tasks?offset=10&limit=10`);
    expect(second.json.size).toBe(2);
    expect(second.json.entities.map((e: { task_name: string }) => e.task_name)).toEqual(['page-10', 'page-11']);
    const negative = await call(emu.url, 'GET', `${BASE}/tasks?offset=-5&limit=1`);
    expect(negative.json.entities[0].task_name).toBe('page-00');
    const huge = await call(emu.url, 'GET', `${BASE}/tasks?limit=5000`);
    expect(huge.json.size).toBe(12);
    expect((await call(emu.url, 'GET', `${BASE}/tasks?limit=abc`)).status).toBe(400);
    expect((await call(emu.url, 'GET', `${BASE}/tasks?limit=0`)).status).toBe(400);
  });

  it('limit > 999 returns at most 999', async () => {
    const many = await startEmulator();
    try {
      const bodies = Array.from({ length: 1000 }, (_, i) => taskBody(`bulk-${i}`));
      for (let i = 0; i < bodies.length; i += 50) {
        await Promise.all(bodies.slice(i, i + 50).map((body) => call(many.url, 'POST', `${BASE}/tasks`, { body })));
      }
      const res = await call(many.url, 'GET', `${BASE}/tasks?limit=1000`);
      expect(res.json).toMatchObject({ total: 1000, size: 999 });
    } finally {
      await many.close();
    }
  });

  it('filters name as a case-sensitive substring (fuzzy), so exact matching is the client’s job', async () => {
    await createTask(emu.url, 'crm-node');
    await createTask(emu.url, 'crm-node-2');
    await createTask(emu.url, 'CRM-other');
    const res = await call(emu.url, 'GET', `${BASE}/tasks?name=crm-node`);
    expect(res.json.entities.map((e: { task_name: string }) => e.task_name)).toEqual(['crm-node', 'crm-node-2']);
    // task_name is not a parameter of the SDK's ListTasksRequest: ignored, like any unknown parameter.
    const both = await call(emu.url, 'GET', `${BASE}/tasks?name=crm&task_name=node-2`);
    expect(both.json.total).toBe(2);
  });

  it('filters by lowercase task_type, integer status and task_id', async () => {
    const t = await createTask(emu.url, 'timing-one');
    const r = await createTask(emu.url, 'realtime-one', { task_type: 'REALTIME' });
    expect(
      (await call(emu.url, 'GET', `${BASE}/tasks?task_type=realtime`)).json.entities.map(
        (e: { task_id: string }) => e.task_id,
      ),
    ).toEqual([r]);
    expect((await call(emu.url, 'GET', `${BASE}/tasks?task_type=TIMING`)).status).toBe(400);
    await call(emu.url, 'POST', `${BASE}/batch-operation/tasks`, {
      body: { action_id: 'start', list: [{ task_id: t }] },
    });
    const running = await call(emu.url, 'GET', `${BASE}/tasks?status=1`);
    expect(running.json.entities).toEqual([
      expect.objectContaining({ task_id: t, status: 1, execute_status: 'WAITING' }),
    ]);
    expect((await call(emu.url, 'GET', `${BASE}/tasks?status=0`)).json.total).toBe(1);
    expect((await call(emu.url, 'GET', `${BASE}/tasks?task_id=${r}`)).json.entities[0].task_name).toBe('realtime-one');
  });
});

describe('GET, PUT, DELETE /tasks/{task_id}', () => {
  it('shows a task as {task, task_detail}', async () => {
    const id = await createTask(emu.url, 'show-me');
    const res = await call(emu.url, 'GET', `${BASE}/tasks/${id}`);
    expect(res.status).toBe(200);
    expect(res.json.task).toMatchObject({ task_id: id, task_name: 'show-me', task_type: 'timing', status: 'stop' });
    expect(JSON.parse(res.json.task_detail)).toMatchObject({
      task_name: 'show-me',
      target_selected_datasource: { targetTable: 'T' },
    });
  });

  it('answers 404 FDI.3081 for a missing task on show, update and delete', async () => {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const res = await call(emu.url, method, `${BASE}/tasks/0123456789abcdef0123456789abcdef`, {
        body: method === 'PUT' ? taskBody('nobody') : undefined,
      });
      expect(res.status, method).toBe(404);
      expect(res.json).toMatchObject({ error_code: 'FDI.3081', error_msg: 'The task does not exist.' });
    }
  });

  it('updates with the full body, validated like create', async () => {
    const id = await createTask(emu.url, 'to-update', { description: 'old' });
    const res = await call(emu.url, 'PUT', `${BASE}/tasks/${id}`, {
      body: taskBody('updated-name', { task_type: 'REALTIME', source_datasource_id: DS.crmApiV2 }, '{"x":2}'),
    });
    expect(res.status).toBe(200);
    expect(res.json.task).toMatchObject({
      task_id: id,
      task_name: 'updated-name',
      task_type: 'realtime',
      source_datasource_name: 'crm-api-v2',
    });
    expect(res.json.task).not.toHaveProperty('description');
    expect(JSON.parse(res.json.task_detail)).toMatchObject({ task_name: 'updated-name', task_type: 'realtime', x: 2 });
    expect(emu.tasks()[0].task_detail).toBe('{"x":2}');
    expect(emu.tasks()[0]).toMatchObject({ task_name: 'updated-name', version: 2 });
    const bad = await call(emu.url, 'PUT', `${BASE}/tasks/${id}`, { body: taskBody('x') });
    expect(bad.status).toBe(400);
    expect(bad.json.error_msg).toContain('[task.task_name]');
  });

  it('refuses renaming onto another task’s name, but keeping its own name is fine', async () => {
    await createTask(emu.url, 'taken-name');
    const id = await createTask(emu.url, 'free-name');
    const res = await call(emu.url, 'PUT', `${BASE}/tasks/${id}`, { body: taskBody('taken-name') });
    expect(res.status).toBe(400);
    expect(res.json.error_msg).toContain('already exists');
    expect((await call(emu.url, 'PUT', `${BASE}/tasks/${id}`, { body: taskBody('free-name') })).status).toBe(200);
  });

  it('deletes with 204 and no body; a running task answers 400 FDI.3023', async () => {
    const id = await createTask(emu.url, 'to-delete');
    await call(emu.url, 'POST', `${BASE}/batch-operation/tasks`, {
      body: { action_id: 'start', list: [{ task_id: id }] },
    });
    const running = await call(emu.url, 'DELETE', `${BASE}/tasks/${id}`);
    expect(running.status).toBe(400);
    expect(running.json).toMatchObject({ error_code: 'FDI.3023' });
    await call(emu.url, 'POST', `${BASE}/batch-operation/tasks`, {
      body: { action_id: 'stop', list: [{ task_id: id }] },
    });
    const res = await call(emu.url, 'DELETE', `${BASE}/tasks/${id}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(emu.tasks()).toHaveLength(0);
    // The name is free again and a re-create counts as a second commit.
    await createTask(emu.url, 'to-delete');
    expect(emu.stats().createsCommitted['to-delete']).toBe(2);
  });
});

describe('POST /batch-operation/tasks', () => {
  it('starts and stops; unknown IDs are failures inside the 200', async () => {
    const a = await createTask(emu.url, 'batch-a', { task_type: 'REALTIME' });
    const missing = 'ffffffffffffffffffffffffffffffff';
    const res = await call(emu.url, 'POST', `${BASE}/batch-operation/tasks`, {
      body: { action_id: 'start', list: [{ task_id: a }, { task_id: missing }] },
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      success_count: 1,
      failure_count: 1,
      success: [{ task_id: a, task_name: 'batch-a' }],
      failure: [{ task_id: missing, error_code: 'FDI.3081', error_msg: 'The task does not exist.' }],
    });
    expect((await call(emu.url, 'GET', `${BASE}/tasks/${a}`)).json.task.status).toBe('running');
    expect(emu.tasks()[0].execute_status).toBe('RUNNING');
    await call(emu.url, 'POST', `${BASE}/batch-operation/tasks`, {
      body: { action_id: 'stop', list: [{ task_id: a }] },
    });
    expect((await call(emu.url, 'GET', `${BASE}/tasks/${a}`)).json.task.status).toBe('stop');
  });

  it('starting and stopping do not change last_modified_date (nor the listing’s last_modified_time); an update does', async () => {
    const id = await createTask(emu.url, 'stamped');
    const created = emu.tasks()[0].last_modified_date;
    await new Promise((r) => setTimeout(r, 5));
    for (const action_id of ['start', 'stop']) {
      await call(emu.url, 'POST', `${BASE}/batch-operation/tasks`, { body: { action_id, list: [{ task_id: id }] } });
      expect(emu.tasks()[0].last_modified_date, action_id).toBe(created);
      expect((await call(emu.url, 'GET', `${BASE}/tasks/${id}`)).json.task.last_modified_date).toBe(created);
      expect((await call(emu.url, 'GET', `${BASE}/tasks`)).json.entities[0].last_modified_time).toBe(created);
    }
    await call(emu.url, 'PUT', `${BASE}/tasks/${id}`, { body: taskBody('stamped') });
    const updated = emu.tasks()[0].last_modified_date;
    expect(updated).toBeGreaterThan(created);
    expect((await call(emu.url, 'GET', `${BASE}/tasks`)).json.entities[0].last_modified_time).toBe(updated);
  });

  it('takes at most 10 IDs', async () => {
    const list = Array.from({ length: 11 }, (_, i) => ({ task_id: `id-${i}` }));
    const res = await call(emu.url, 'POST', `${BASE}/batch-operation/tasks`, { body: { action_id: 'start', list } });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error_code: 'FDI.3002', error_msg: expect.stringContaining('at most 10') });
    const ten = await call(emu.url, 'POST', `${BASE}/batch-operation/tasks`, {
      body: { action_id: 'start', list: list.slice(0, 10) },
    });
    expect(ten.json.failure_count).toBe(10);
  });

  it.each([
    ['a bad action_id', { action_id: 'restart', list: [{ task_id: 'x' }] }, 'FDI.3033'],
    ['a missing list', { action_id: 'stop' }, 'FDI.3033'],
    ['an empty task_id', { action_id: 'stop', list: [{ task_id: '' }] }, 'FDI.3022'],
  ])('refuses %s with 400', async (_what, body, code) => {
    const res = await call(emu.url, 'POST', `${BASE}/batch-operation/tasks`, { body });
    expect(res.status).toBe(400);
    expect(res.json.error_code).toBe(code);
  });
});

describe('routes that do not exist', () => {
  it.each([
    ['GET', '/v2/local-project/fdi/instances/local-instance/nothing'],
    ['PATCH', `${BASE}/tasks`],
    ['GET', '/'],
    ['POST', '/v3/auth/other'],
  ])('%s %s → 404 APIGW.0101 with a request id', async (method, path) => {
    const res = await call(emu.url, method, path);
    expect(res.status).toBe(404);
    expect(res.json).toEqual({
      error_code: 'APIGW.0101',
      error_msg: expect.any(String),
      request_id: res.headers['x-request-id'],
    });
  });
});
