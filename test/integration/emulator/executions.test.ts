import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type Emulator,
  EmulatorConfigError,
  executionOutcome,
  failureRemark,
  startEmulator,
} from '../../../emulator/index.js';
import { BASE, call, createTask } from './helpers.js';

const MS = 150;
let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());
beforeEach(() => {
  emu.configure({
    faults: {},
    rateQuota: undefined,
    executionMs: MS,
    executionFailShare: 0,
    executionSeed: 1,
    runOnStart: false,
  });
  emu.reset();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const run = (id: string) => call(emu.url, 'POST', `${BASE}/tasks/${id}/run`);
const terminate = (id: string) => call(emu.url, 'POST', `${BASE}/tasks/${id}/terminate`);
const logs = async (id: string, query = '') =>
  (await call(emu.url, 'GET', `${BASE}/tasks/${id}/monitor-logs${query}`)).json;
const monitors = async (query = '') => (await call(emu.url, 'GET', `${BASE}/task-monitors${query}`)).json;
const batch = (action: 'start' | 'stop', ids: string[]) =>
  call(emu.url, 'POST', `${BASE}/batch-operation/tasks`, {
    body: { action_id: action, list: ids.map((task_id) => ({ task_id })) },
  });

describe('POST /tasks/{task_id}/run', () => {
  it('begins an execution that runs for executionMs, then succeeds, with counts in the monitor log', async () => {
    const id = await createTask(emu.url, 'run-ok');
    const res = await run(id);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({});
    const running = await logs(id);
    expect(running).toMatchObject({ total: 1, size: 1 });
    expect(running.entities[0]).toMatchObject({
      execute_status: 'RUNNING',
      position_status: 'NORMAL',
      dirty_data_count: 0,
    });
    expect(running.entities[0].end_time).toBeUndefined();
    expect((await monitors()).entities[0]).toMatchObject({ task_id: id, execute_status: 'RUNNING', status: 0 });
    await sleep(MS + 50);
    const done = (await logs(id)).entities[0];
    const expected = executionOutcome(1, 0, 'run-ok', 1);
    expect(done).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
      execute_status: 'SUCCESS',
      position: 'WRITER',
      position_status: 'TASK_END',
      status: 901,
      data_count: expected.dataCount,
      dirty_data_count: 0,
      data_size_unit: 'KB',
      remarks: `The run ended normally: ${expected.dataCount} rows written.`,
    });
    expect(done.end_time - done.start_time).toBe(MS);
    expect(done.spend_time).toBe(MS);
    expect(done.detail_logs.map((d: { position: string }) => d.position)).toEqual(['READER', 'WRITER']);
    const info = (await monitors()).entities[0];
    expect(info).toMatchObject({
      task_id: id,
      task_name: 'run-ok',
      task_type: 'TIMING',
      status: 0,
      execute_status: 'SUCCESS',
      last_execute_time: done.start_time,
      enterprise_project_id: '0',
    });
    const listed = (await call(emu.url, 'GET', `${BASE}/tasks`)).json.entities[0];
    expect(listed.execute_status).toBe('SUCCESS');
    expect(emu.stats().executionsStarted).toEqual({ 'run-ok': 1 });
    expect(emu.stats().requests['POST /tasks/{task_id}/run']).toEqual({ 200: 1 });
    // Running a task is not a change of its definition.
    expect(listed.last_modified_time).toBe(emu.tasks()[0].created_date);
  });

  it('refuses an unknown task, a REALTIME task, and a second run while the first is running', async () => {
    const missing = await run('0'.repeat(32));
    expect(missing.status).toBe(404);
    expect(missing.json.error_code).toBe('FDI.3081');
    const rt = await createTask(emu.url, 'run-rt', { task_type: 'REALTIME' });
    expect((await run(rt)).json).toMatchObject({ error_code: 'FDI.3033' });
    const id = await createTask(emu.url, 'run-twice');
    expect((await run(id)).status).toBe(200);
    const again = await run(id);
    expect(again.status).toBe(400);
    expect(again.json).toMatchObject({ error_code: 'FDI.3023' });
    await sleep(MS + 50);
    expect((await run(id)).status).toBe(200);
    const entities = (await logs(id)).entities;
    expect(entities.map((e: { execute_status: string }) => e.execute_status)).toEqual(['RUNNING', 'SUCCESS']);
    expect(emu.executions().map((e) => e.ordinal)).toEqual([1, 2]);
  });
});

describe('the seeded share of failing executions', () => {
  it('fails the tasks executionOutcome predicts, each with a remark and dirty data, whatever the order', async () => {
    emu.configure({ executionFailShare: 0.1, executionSeed: 42, executionMs: 30 });
    const names = Array.from({ length: 200 }, (_, i) => `wave-${String(i).padStart(3, '0')}`);
    const ids = [];
    for (const n of names) ids.push(await createTask(emu.url, n));
    // Reverse order: the outcome hangs on the name and the run's number, not on arrival.
    for (const id of [...ids].reverse()) expect((await run(id)).status).toBe(200);
    await sleep(80);
    const predicted = names.filter((n) => executionOutcome(42, 0.1, n, 1).fails);
    expect(predicted.length).toBeGreaterThan(10);
    expect(predicted.length).toBeLessThan(35);
    const failed = emu.executions().filter((e) => e.execute_status === 'ERROR');
    expect(failed.map((e) => e.task_name).sort()).toEqual(predicted);
    for (const e of failed) {
      const o = executionOutcome(42, 0.1, e.task_name, 1);
      expect(e).toMatchObject({
        position_status: 'RUNTIME_ERR',
        status: 503,
        dirty_data_count: o.dirtyDataCount,
        data_count: o.dataCount,
        remarks: failureRemark({ outcome: o }),
      });
      expect(e.dirty_data_count).toBeGreaterThan(0);
    }
    const errors = await monitors('?execute_status=ERROR&limit=999');
    expect(errors.total).toBe(predicted.length);
    expect(errors.entities.every((m: { execute_status: string }) => m.execute_status === 'ERROR')).toBe(true);
    expect((await monitors('?execute_status=SUCCESS&limit=1')).total).toBe(200 - predicted.length);
    expect((await call(emu.url, 'GET', `${BASE}/tasks?execute_status=ERROR&limit=999`)).json.total).toBe(
      predicted.length,
    );
  });

  it('another seed fails other tasks; share 0 none and share 1 all', () => {
    const names = Array.from({ length: 100 }, (_, i) => `t-${i}`);
    const failing = (seed: number, share: number) => names.filter((n) => executionOutcome(seed, share, n, 1).fails);
    expect(failing(1, 0.3)).not.toEqual(failing(2, 0.3));
    expect(failing(1, 0.3)).toEqual(failing(1, 0.3));
    expect(failing(1, 0)).toEqual([]);
    expect(failing(1, 1)).toEqual(names);
  });
});

describe('POST /tasks/{task_id}/terminate', () => {
  it('ends the running execution (CANCELLED) and leaves the task’s status; no running execution is a 400', async () => {
    emu.configure({ executionMs: 60_000 });
    const id = await createTask(emu.url, 'term-me');
    await run(id);
    const res = await terminate(id);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ message: 'success' });
    const e = (await logs(id)).entities[0];
    expect(e).toMatchObject({
      execute_status: 'CANCELLED',
      position_status: 'RUNTIME_CANCEL',
      status: 16,
      remarks: 'The run was terminated by hand.',
    });
    expect(e.end_time).toBeGreaterThanOrEqual(e.start_time);
    expect((await call(emu.url, 'GET', `${BASE}/tasks/${id}`)).json.task.status).toBe('stop');
    const again = await terminate(id);
    expect(again.status).toBe(400);
    expect(again.json.error_code).toBe('FDI.3033');
    expect((await terminate('f'.repeat(32))).status).toBe(404);
    expect(emu.stats().terminations).toBe(1);
  });
});

describe('DELETE while an execution runs', () => {
  it('is refused (FDI.3023) while it runs, and goes through once it ended or was terminated', async () => {
    emu.configure({ executionMs: 60_000 });
    const a = await createTask(emu.url, 'del-run-a');
    await run(a);
    const refused = await call(emu.url, 'DELETE', `${BASE}/tasks/${a}`);
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({ error_code: 'FDI.3023', error_msg: 'One or more tasks are running.' });
    await terminate(a);
    expect((await call(emu.url, 'DELETE', `${BASE}/tasks/${a}`)).status).toBe(204);
    expect(emu.executions()).toEqual([]);
    emu.configure({ executionMs: 20 });
    const b = await createTask(emu.url, 'del-run-b');
    await run(b);
    await sleep(60);
    expect((await call(emu.url, 'DELETE', `${BASE}/tasks/${b}`)).status).toBe(204);
  });

  it('a batch stop ends the running execution, so stop-then-delete works', async () => {
    emu.configure({ executionMs: 60_000 });
    const id = await createTask(emu.url, 'stop-then-delete');
    await run(id);
    expect((await batch('stop', [id])).json.success_count).toBe(1);
    expect((await logs(id)).entities[0]).toMatchObject({
      execute_status: 'CANCELLED',
      remarks: 'The run was cancelled: the task was stopped.',
    });
    expect((await call(emu.url, 'DELETE', `${BASE}/tasks/${id}`)).status).toBe(204);
  });
});

describe('batch start', () => {
  it('starts a REALTIME task’s stream: RUNNING, and still RUNNING after executionMs when it does not fail', async () => {
    const id = await createTask(emu.url, 'stream-ok', { task_type: 'REALTIME' });
    await batch('start', [id]);
    await sleep(MS + 50);
    expect((await logs(id)).entities).toEqual([
      expect.objectContaining({
        execute_status: 'RUNNING',
        data_count: executionOutcome(1, 0, 'stream-ok', 1).dataCount,
      }),
    ]);
    // Starting it again begins nothing.
    await batch('start', [id]);
    expect((await logs(id)).total).toBe(1);
    expect(emu.executions()[0].trigger).toBe('start');
  });

  it('a failing stream ends in ERROR; a TIMING task runs on start only with runOnStart', async () => {
    emu.configure({ executionFailShare: 1, executionMs: 30 });
    const rt = await createTask(emu.url, 'stream-bad', { task_type: 'REALTIME' });
    const timing = await createTask(emu.url, 'timing-waits');
    await batch('start', [rt, timing]);
    await sleep(80);
    expect((await logs(rt)).entities[0].execute_status).toBe('ERROR');
    expect((await logs(timing)).total).toBe(0);
    expect((await monitors('?task_name=timing-waits')).entities[0]).toMatchObject({
      execute_status: 'WAITING',
      status: 1,
    });
    emu.configure({ runOnStart: true, executionFailShare: 0 });
    const t2 = await createTask(emu.url, 'timing-runs');
    await batch('start', [t2]);
    expect((await logs(t2)).entities[0].execute_status).toBe('RUNNING');
  });
});

describe('GET /task-monitors', () => {
  it('filters by task_name (a case-sensitive substring), ignores name, and pages from offset 1', async () => {
    for (const n of ['mon-alpha', 'mon-alphabet', 'mon-beta', 'MON-ALPHA-UP']) await createTask(emu.url, n);
    const names = (body: { entities: { task_name: string }[] }) => body.entities.map((e) => e.task_name);
    expect(names(await monitors('?task_name=alpha'))).toEqual(['mon-alpha', 'mon-alphabet']);
    expect((await monitors('?name=alpha')).total).toBe(4);
    expect(names(await monitors('?offset=1&limit=2'))).toEqual(['mon-alpha', 'mon-alphabet']);
    expect(names(await monitors('?offset=0&limit=2'))).toEqual(['mon-alpha', 'mon-alphabet']);
    expect(names(await monitors('?offset=3&limit=2'))).toEqual(['mon-beta', 'MON-ALPHA-UP']);
    expect(await monitors('?offset=5')).toEqual({ total: 4, size: 0, entities: [] });
    expect((await monitors()).entities[0]).toEqual({
      task_id: expect.any(String),
      task_name: 'mon-alpha',
      task_type: 'TIMING',
      status: 0,
      execute_status: 'UNSTARTED',
      source_app_id: expect.any(String),
      source_app_name: expect.any(String),
      source_instance_id: 'local-instance',
      target_app_id: expect.any(String),
      target_app_name: expect.any(String),
      target_instance_id: 'local-instance',
      enterprise_project_id: '0',
    });
    const bad = await call(emu.url, 'GET', `${BASE}/task-monitors?execute_status=DONE`);
    expect(bad.status).toBe(400);
    expect(bad.json.error_code).toBe('FDI.3033');
    expect((await call(emu.url, 'GET', `${BASE}/task-monitors?limit=0`)).status).toBe(400);
  });

  it('shows a TIMING task’s schedule', async () => {
    const id = await createTask(emu.url, 'mon-sched');
    await call(emu.url, 'POST', `${BASE}/tasks/${id}/dispatches`, {
      body: { use_quartz_cron: true, cron: '0 30 12 * * ?' },
    });
    expect((await monitors()).entities[0]).toMatchObject({ use_quartz_cron: true, cron: '0 30 12 * * ?' });
  });
});

describe('GET /tasks/{task_id}/monitor-logs', () => {
  it('lists executions newest first, within begin_time..end_time, paged from offset 1', async () => {
    emu.configure({ executionMs: 5 });
    const id = await createTask(emu.url, 'logs-many');
    for (let i = 0; i < 3; i += 1) {
      await run(id);
      await sleep(25);
    }
    const all = await logs(id);
    expect(all.total).toBe(3);
    const starts = all.entities.map((e: { start_time: number }) => e.start_time);
    expect([...starts].sort((x: number, y: number) => y - x)).toEqual(starts);
    expect((await logs(id, '?offset=2&limit=1')).entities[0].id).toBe(all.entities[1].id);
    expect((await logs(id, `?begin_time=${starts[1]}`)).total).toBe(2);
    expect((await logs(id, `?end_time=${starts[1]}`)).total).toBe(2);
    expect((await logs(id, `?begin_time=${starts[1]}&end_time=${starts[1]}`)).entities[0].id).toBe(all.entities[1].id);
    expect((await call(emu.url, 'GET', `${BASE}/tasks/${id}/monitor-logs?begin_time=yesterday`)).status).toBe(400);
    const missing = await call(emu.url, 'GET', `${BASE}/tasks/${'e'.repeat(32)}/monitor-logs`);
    expect(missing.status).toBe(404);
    expect(missing.json.error_code).toBe('FDI.3081');
  });
});

describe('faults, the rate quota, the stats and the request log on the new routes', () => {
  it('injects faults on every new route', async () => {
    const id = await createTask(emu.url, 'fault-me');
    emu.configure({ faults: { 503: 1 } });
    const answers = await Promise.all([
      run(id),
      terminate(id),
      call(emu.url, 'GET', `${BASE}/task-monitors`),
      call(emu.url, 'GET', `${BASE}/tasks/${id}/monitor-logs`),
    ]);
    expect(answers.map((a) => a.status)).toEqual([503, 503, 503, 503]);
    expect(emu.stats().faultsInjected).toEqual({ 503: 4 });
    expect(emu.executions()).toEqual([]);
  });

  it('500-after-commit on run: the execution began, the answer is a 500; a retry is refused while it runs', async () => {
    emu.configure({ executionMs: 60_000 });
    const id = await createTask(emu.url, 'ambiguous-run');
    emu.configure({ faults: { '500-after-commit': 1 } });
    const res = await run(id);
    expect(res.status).toBe(500);
    expect(res.json.error_code).toBe('FDI.9999');
    expect(emu.stats().executionsStarted).toEqual({ 'ambiguous-run': 1 });
    emu.configure({ faults: {} });
    expect((await run(id)).json.error_code).toBe('FDI.3023');
    expect(emu.stats().faultsInjected).toEqual({ '500-after-commit': 1 });
  });

  it('counts the new routes in the quota, the stats and the request log', async () => {
    const id = await createTask(emu.url, 'counted');
    emu.configure({ rateQuota: 2 });
    const statuses = [];
    for (const path of [`tasks/${id}/run`, `tasks/${id}/terminate`])
      statuses.push((await call(emu.url, 'POST', `${BASE}/${path}`)).status);
    statuses.push((await call(emu.url, 'GET', `${BASE}/task-monitors`)).status);
    expect(statuses).toEqual([200, 200, 429]);
    const { requests, throttled } = emu.stats();
    expect(requests['POST /tasks/{task_id}/run']).toEqual({ 200: 1 });
    expect(requests['POST /tasks/{task_id}/terminate']).toEqual({ 200: 1 });
    expect(requests['GET /task-monitors']).toEqual({ 429: 1 });
    expect(throttled).toBe(1);
    expect(emu.requestLog().slice(-3)).toEqual([
      { method: 'POST', path: `${BASE}/tasks/${id}/run` },
      { method: 'POST', path: `${BASE}/tasks/${id}/terminate` },
      { method: 'GET', path: `${BASE}/task-monitors` },
    ]);
  });

  it('needs authentication like every FDI route', async () => {
    const res = await call(emu.url, 'GET', `${BASE}/task-monitors`, { auth: false });
    expect(res.status).toBe(401);
  });
});

describe('the settings', () => {
  it('are changed at run time through configure() and POST /__emulator/config, and checked', async () => {
    expect(() => emu.configure({ executionFailShare: 1.5 })).toThrow(EmulatorConfigError);
    expect(() => emu.configure({ executionMs: -1 })).toThrow(/executionMs/);
    const bad = await call(emu.url, 'POST', '/__emulator/config', {
      body: { executionSeed: 'x', runOnStart: 'yes' },
      auth: false,
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error_msg).toMatch(/executionSeed.*runOnStart/);
    const ok = await call(emu.url, 'POST', '/__emulator/config', {
      body: { executionMs: 10, executionFailShare: 0.25, executionSeed: 9, runOnStart: true },
      auth: false,
    });
    expect(ok.json).toMatchObject({ executionMs: 10, executionFailShare: 0.25, executionSeed: 9, runOnStart: true });
    // Left out (or undefined), they stay.
    emu.configure({ executionMs: undefined });
    expect((await call(emu.url, 'GET', '/__emulator/config', { auth: false })).json.executionMs).toBe(10);
  });

  it('GET /__emulator/executions shows the executions; reset() clears them', async () => {
    const id = await createTask(emu.url, 'shown');
    await run(id);
    const shown = (await call(emu.url, 'GET', '/__emulator/executions', { auth: false })).json;
    expect(shown).toEqual([
      expect.objectContaining({
        task_id: id,
        task_name: 'shown',
        ordinal: 1,
        trigger: 'run',
        execute_status: 'RUNNING',
      }),
    ]);
    emu.reset();
    expect(emu.executions()).toEqual([]);
    expect(emu.stats().executionsStarted).toEqual({});
  });

  it('defaults: 1 s executions that do not fail, no run on a TIMING start', async () => {
    const fresh = await startEmulator();
    try {
      expect((await call(fresh.url, 'GET', '/__emulator/config', { auth: false })).json).toMatchObject({
        executionMs: 1000,
        executionFailShare: 0,
        executionSeed: 1,
        runOnStart: false,
      });
    } finally {
      await fresh.close();
    }
  });
});
