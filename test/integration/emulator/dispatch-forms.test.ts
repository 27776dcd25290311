import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../../emulator/index.js';
import { BASE, call, createTask } from './helpers.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());
beforeEach(() => {
  emu.configure({ noDispatch: '404' });
  emu.reset();
});

const PERIOD = { period: 'DAY', dispatch_interval: 1, use_quartz_cron: false };

describe('ShowDispatches of a task without a schedule (noDispatch)', () => {
  it("'404' by default: 404 FDI.3033", async () => {
    const id = await createTask(emu.url, 'no-schedule');
    const res = await call(emu.url, 'GET', `${BASE}/tasks/${id}/dispatches`);
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ error_code: 'FDI.3033', error_msg: expect.stringContaining('[dispatch_id]') });
  });

  it("'empty': 200 with {}", async () => {
    const id = await createTask(emu.url, 'no-schedule');
    emu.configure({ noDispatch: 'empty' });
    const res = await call(emu.url, 'GET', `${BASE}/tasks/${id}/dispatches`);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({});
  });

  it("'no-id': 200 with {task_id, use_quartz_cron: false} and no dispatch_id, also for a REALTIME task", async () => {
    const id = await createTask(emu.url, 'no-schedule');
    const rt = await createTask(emu.url, 'streaming', { task_type: 'REALTIME' });
    const ok = await call(emu.url, 'POST', '/__emulator/config', { auth: false, body: { noDispatch: 'no-id' } });
    expect(ok.json.noDispatch).toBe('no-id');
    for (const task of [id, rt]) {
      const res = await call(emu.url, 'GET', `${BASE}/tasks/${task}/dispatches`);
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ task_id: task, use_quartz_cron: false });
    }
  });

  it('a task with a schedule answers it whatever the setting; an unknown task is still 404 FDI.3081', async () => {
    const id = await createTask(emu.url, 'scheduled');
    const created = await call(emu.url, 'POST', `${BASE}/tasks/${id}/dispatches`, { body: PERIOD });
    for (const noDispatch of ['404', 'empty', 'no-id'] as const) {
      emu.configure({ noDispatch });
      expect((await call(emu.url, 'GET', `${BASE}/tasks/${id}/dispatches`)).json).toEqual(created.json);
      const missing = await call(emu.url, 'GET', `${BASE}/tasks/0123456789abcdef0123456789abcdef/dispatches`);
      expect(missing.json.error_code).toBe('FDI.3081');
    }
  });

  it('is a start option too, and a bad value is refused', async () => {
    const other = await startEmulator({ noDispatch: 'empty' });
    try {
      const id = await createTask(other.url, 'no-schedule');
      expect((await call(other.url, 'GET', `${BASE}/tasks/${id}/dispatches`)).json).toEqual({});
    } finally {
      await other.close();
    }
    await expect(startEmulator({ noDispatch: '204' as never })).rejects.toThrow(/noDispatch must be one of/);
  });
});

describe('PUT of a dispatch ID the task does not have', () => {
  it('answers 404 FDI.3033 and counts it in dispatchPutsWithoutId', async () => {
    const bare = await createTask(emu.url, 'bare');
    const timed = await createTask(emu.url, 'timed');
    const created = await call(emu.url, 'POST', `${BASE}/tasks/${timed}/dispatches`, { body: PERIOD });
    expect(emu.stats().dispatchPutsWithoutId).toBe(0);
    for (const [task, dispatchId] of [
      [bare, 'undefined'],
      [timed, 'undefined'],
      [timed, 'ffffffffffffffffffffffffffffffff'],
    ]) {
      const res = await call(emu.url, 'PUT', `${BASE}/tasks/${task}/dispatches/${dispatchId}`, { body: PERIOD });
      expect(res.status).toBe(404);
      expect(res.json.error_code).toBe('FDI.3033');
    }
    const stats = emu.stats();
    expect(stats.dispatchPutsWithoutId).toBe(3);
    expect(stats.requests['PUT /tasks/{task_id}/dispatches/{dispatch_id}']).toEqual({ 404: 3 });
    const right = await call(emu.url, 'PUT', `${BASE}/tasks/${timed}/dispatches/${created.json.dispatch_id}`, {
      body: { ...PERIOD, period: 'HOUR' },
    });
    expect(right.status).toBe(200);
    expect(emu.stats().dispatchPutsWithoutId).toBe(3);
    emu.reset();
    expect(emu.stats().dispatchPutsWithoutId).toBe(0);
  });
});

describe('TaskDispatch as the SDK has it', () => {
  it('refuses cron_timezone like any other unknown key', async () => {
    const id = await createTask(emu.url, 'zoned');
    const body = { use_quartz_cron: true, cron: '0 30 2 * * ?', cron_timezone: 'Asia/Shanghai' };
    for (const [method, path] of [
      ['POST', `${BASE}/tasks/${id}/dispatches`],
      ['PUT', `${BASE}/tasks/${id}/dispatches/x`],
    ]) {
      const res = await call(emu.url, method, path, { body });
      expect(res.status, method).toBe(400);
      expect(res.json).toMatchObject({
        error_code: 'FDI.3033',
        error_msg: 'Invalid parameter [cron_timezone]: is not a field of TaskDispatch',
      });
    }
    expect(emu.tasks()[0].dispatch).toBeUndefined();
  });

  it('answers only the SDK fields, even for a dispatch stored with cron_timezone by an older emulator', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fdi-emulator-dispatch-'));
    try {
      const stateFile = join(dir, 'state.json');
      const dispatch = {
        use_quartz_cron: true,
        cron: '0 0 1 * * ?',
        cron_timezone: 'Asia/Shanghai',
        dispatch_id: 'd'.repeat(32),
        task_id: 't'.repeat(32),
        created_date: 1_700_000_000_000,
        last_modified_date: 1_700_000_000_000,
      };
      const task = {
        project_id: 'local-project',
        instance_id: 'local-instance',
        task_id: 't'.repeat(32),
        task_name: 'old-zoned',
        task_type: 'TIMING',
        source_datasource_id: '30969b205e8f4392a25fb321112d1753',
        target_datasource_id: '30969b205e8f4392a25fb321112d1753',
        task_detail: '{}',
        status: 'stop',
        execute_status: 'UNSTARTED',
        created_date: 1_700_000_000_000,
        last_modified_date: 1_700_000_000_000,
        version: 1,
        dispatch,
      };
      writeFileSync(stateFile, JSON.stringify({ version: 1, tasks: [task] }));
      const old = await startEmulator({ stateFile });
      try {
        const res = await call(old.url, 'GET', `${BASE}/tasks/${task.task_id}/dispatches`);
        expect(res.status).toBe(200);
        const { cron_timezone: _dropped, ...expected } = dispatch;
        expect(res.json).toEqual(expected);
      } finally {
        await old.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('creating and updating a dispatch leave the task’s last_modified_date alone', async () => {
    const id = await createTask(emu.url, 'dated');
    const before = emu.tasks()[0].last_modified_date;
    await new Promise((r) => setTimeout(r, 5));
    const created = await call(emu.url, 'POST', `${BASE}/tasks/${id}/dispatches`, { body: PERIOD });
    await call(emu.url, 'PUT', `${BASE}/tasks/${id}/dispatches/${created.json.dispatch_id}`, {
      body: { ...PERIOD, dispatch_interval: 2 },
    });
    expect(emu.tasks()[0].last_modified_date).toBe(before);
    expect(emu.tasks()[0].version).toBe(1);
  });
});
