import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../../emulator/index.js';
import { BASE, call, createTask, taskBody } from './helpers.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());
beforeEach(() => {
  emu.configure({ faults: {}, latencyMs: 0 });
  emu.reset();
});

describe('stats', () => {
  it('counts requests by route and status, attempts and commits per name, whatever the outcome', async () => {
    await createTask(emu.url, 'stat-a');
    await call(emu.url, 'POST', `${BASE}/tasks`, { body: taskBody('stat-a') }); // duplicate
    await call(emu.url, 'POST', `${BASE}/tasks`, { body: taskBody('stat-b'), auth: false }); // 401
    await call(emu.url, 'POST', `${BASE}/tasks`, { body: taskBody('stat-c', { task_tag: 'x' }) }); // 400
    emu.configure({ faults: { 500: 1 } });
    await call(emu.url, 'POST', `${BASE}/tasks`, { body: taskBody('stat-b') }); // 500
    emu.configure({ faults: {} });
    await call(emu.url, 'GET', `${BASE}/tasks`);
    const stats = emu.stats();
    expect(stats.requests).toEqual({ 'POST /tasks': { 200: 1, 400: 2, 401: 1, 500: 1 }, 'GET /tasks': { 200: 1 } });
    expect(stats.requestsTotal).toBe(6);
    expect(stats.createAttempts).toEqual({ 'stat-a': 2, 'stat-b': 2, 'stat-c': 1 });
    expect(stats.createsCommitted).toEqual({ 'stat-a': 1 });
    expect(stats.duplicateNameRejections).toBe(1);
    expect(stats.tasksStored).toBe(1);
    expect(stats.faultsInjected).toEqual({ 500: 1 });
  });

  it('records the most requests in flight at once', async () => {
    emu.configure({ latencyMs: 150 });
    await Promise.all(Array.from({ length: 8 }, () => call(emu.url, 'GET', `${BASE}/tasks`)));
    expect(emu.stats().maxConcurrent).toBe(8);
    emu.reset();
    for (let i = 0; i < 3; i += 1) await call(emu.url, 'GET', `${BASE}/tasks`);
    expect(emu.stats().maxConcurrent).toBe(1);
  });

  it('records arrivals and the peak number of arrivals in a sliding second', async () => {
    for (let i = 0; i < 7; i += 1) await call(emu.url, 'GET', `${BASE}/tasks`);
    const arrivals = emu.arrivals();
    expect(arrivals).toHaveLength(7);
    expect([...arrivals].sort((a, b) => a - b)).toEqual(arrivals);
    expect(emu.stats().peakRequestsPerSecond).toBe(7);
    await new Promise((r) => setTimeout(r, 1_050));
    await call(emu.url, 'GET', `${BASE}/tasks`);
    expect(emu.stats().peakRequestsPerSecond).toBe(7);
  });

  it('control routes are not counted', async () => {
    await call(emu.url, 'GET', '/__emulator/stats');
    expect(emu.stats().requestsTotal).toBe(0);
    expect(emu.arrivals()).toEqual([]);
  });
});

describe('control routes', () => {
  it('GET /__emulator/stats returns the same stats as stats()', async () => {
    await createTask(emu.url, 'over-http');
    const res = await call(emu.url, 'GET', '/__emulator/stats', { auth: false });
    expect(res.status).toBe(200);
    expect(res.json).toEqual(emu.stats());
  });

  it('POST /__emulator/reset clears tasks and stats (reset() does the same)', async () => {
    await createTask(emu.url, 'to-clear');
    expect((await call(emu.url, 'POST', '/__emulator/reset', { auth: false })).status).toBe(204);
    expect(emu.tasks()).toEqual([]);
    expect(emu.stats()).toMatchObject({ requestsTotal: 0, tasksStored: 0, createAttempts: {}, createsCommitted: {} });
    await createTask(emu.url, 'to-clear');
    emu.reset();
    expect(emu.stats().tasksStored).toBe(0);
  });

  it('POST /__emulator/config changes faults and quotas at run time and refuses bad values', async () => {
    const ok = await call(emu.url, 'POST', '/__emulator/config', {
      auth: false,
      body: { faults: { 503: 1 }, retryAfterSeconds: 1 },
    });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ faults: { 503: 1 }, retryAfterSeconds: 1 });
    expect((await call(emu.url, 'GET', `${BASE}/tasks`)).status).toBe(503);
    await call(emu.url, 'POST', '/__emulator/config', { auth: false, body: { faults: {}, rateQuota: 1 } });
    await call(emu.url, 'GET', `${BASE}/tasks`);
    const throttled = await call(emu.url, 'GET', `${BASE}/tasks`);
    expect(throttled.status).toBe(429);
    expect(throttled.headers['retry-after']).toBe('1');
    await call(emu.url, 'POST', '/__emulator/config', {
      auth: false,
      body: { rateQuota: null, retryAfterSeconds: null },
    });
    expect((await call(emu.url, 'GET', `${BASE}/tasks`)).status).toBe(200);
    for (const body of [
      { faults: { 500: 2 } },
      { faults: { 500: 0.6, 502: 0.6 } },
      { faults: { teapot: 0.1 } },
      { port: 1 },
      { latencyMs: -1 },
      [1],
    ]) {
      const bad = await call(emu.url, 'POST', '/__emulator/config', { auth: false, body });
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(bad.json.error_msg).toEqual(expect.any(String));
    }
    expect(() => emu.configure({ faults: { 500: 1.5 } })).toThrow(/probability/);
  });

  it('GET /__emulator/tasks lists the stored tasks', async () => {
    await createTask(emu.url, 'listed');
    const res = await call(emu.url, 'GET', '/__emulator/tasks?project=local-project', { auth: false });
    expect(res.json.map((t: { task_name: string }) => t.task_name)).toEqual(['listed']);
  });
});

describe('persistence', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fdi-emulator-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps tasks and dispatches between runs with stateFile', async () => {
    const stateFile = join(dir, 'nested', 'state.json');
    const first = await startEmulator({ stateFile });
    const id = await createTask(first.url, 'persisted-a');
    await createTask(first.url, 'persisted-b', { task_type: 'REALTIME' });
    await call(first.url, 'POST', `${BASE}/tasks/${id}/dispatches`, { body: { period: 'HOUR', dispatch_interval: 2 } });
    const before = first.tasks();
    await first.close();
    expect(JSON.parse(readFileSync(stateFile, 'utf8')).tasks).toHaveLength(2);
    expect(readdirSync(join(dir, 'nested'))).toEqual(['state.json']); // no temporary file left behind

    const second = await startEmulator({ stateFile });
    try {
      expect(second.tasks()).toEqual(before);
      const list = await call(second.url, 'GET', `${BASE}/tasks`);
      expect(list.json.entities.map((e: { task_name: string }) => e.task_name)).toEqual(['persisted-a', 'persisted-b']);
      expect((await call(second.url, 'GET', `${BASE}/tasks/${id}/dispatches`)).json.period).toBe('HOUR');
      const dup = await call(second.url, 'POST', `${BASE}/tasks`, { body: taskBody('persisted-a') });
      expect(dup.json.error_msg).toContain('already exists');
      // Deletions persist too.
      await call(second.url, 'DELETE', `${BASE}/tasks/${id}`);
    } finally {
      await second.close();
    }
    const third = await startEmulator({ stateFile });
    expect(third.tasks().map((t) => t.task_name)).toEqual(['persisted-b']);
    await third.close();
  });

  it('refuses to start on a state file that is not JSON', async () => {
    const stateFile = join(dir, 'broken.json');
    writeFileSync(stateFile, '{not json');
    await expect(startEmulator({ stateFile })).rejects.toThrow(/state file .* is not valid JSON/);
  });
});
