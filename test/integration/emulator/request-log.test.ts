import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../../emulator/index.js';
import { BASE, call, createTask, taskBody } from './helpers.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

describe('requestLog()', () => {
  it('lists FDI requests oldest first with method, path (no query) and Content-Type as received', async () => {
    const id = await createTask(emu.url, 'logged');
    await call(emu.url, 'GET', `${BASE}/tasks?name=logged&limit=999`, {
      headers: { 'Content-Type': 'application/json' },
    });
    await call(emu.url, 'GET', `${BASE}/tasks/${id}`);
    await call(emu.url, 'DELETE', `${BASE}/tasks/${id}`, { headers: { 'Content-Type': 'application/json' } });
    await call(emu.url, 'GET', `${BASE}/nothing`); // an unknown route is an FDI request too
    // Not logged: the control routes and IAM.
    await call(emu.url, 'GET', '/__emulator/stats', { auth: false });
    await call(emu.url, 'POST', '/v3/auth/tokens', { auth: false, body: {} });
    expect(emu.requestLog()).toEqual([
      { method: 'POST', path: `${BASE}/tasks`, contentType: 'application/json;charset=UTF-8' },
      { method: 'GET', path: `${BASE}/tasks`, contentType: 'application/json' },
      { method: 'GET', path: `${BASE}/tasks/${id}`, contentType: undefined },
      { method: 'DELETE', path: `${BASE}/tasks/${id}`, contentType: 'application/json' },
      { method: 'GET', path: `${BASE}/nothing`, contentType: undefined },
    ]);
  });

  it('logs a request whatever its answer (401, faults), and GET /__emulator/requests shows the same', async () => {
    await call(emu.url, 'GET', `${BASE}/tasks`, { auth: false });
    emu.configure({ faults: { 503: 1 } });
    try {
      await call(emu.url, 'POST', `${BASE}/tasks`, { body: taskBody('faulted') });
    } finally {
      emu.configure({ faults: {} });
    }
    expect(emu.requestLog().map((r) => r.method)).toEqual(['GET', 'POST']);
    const res = await call(emu.url, 'GET', '/__emulator/requests', { auth: false });
    expect(res.status).toBe(200);
    expect(res.json).toEqual(JSON.parse(JSON.stringify(emu.requestLog())));
  });

  it('keeps the last 1,000 and is cleared by reset()', async () => {
    for (let i = 0; i < 1_030; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, 1_030 - i) }, (_, j) => call(emu.url, 'GET', `${BASE}/tasks/n-${i + j}`)),
      );
    }
    const log = emu.requestLog();
    expect(log).toHaveLength(1_000);
    const seen = new Set(log.map((r) => r.path));
    expect(seen.size).toBe(1_000);
    // Arrival order: the first 30 arrivals are the ones dropped.
    expect(log.at(-1)!.path.startsWith(`${BASE}/tasks/n-`)).toBe(true);
    emu.reset();
    expect(emu.requestLog()).toEqual([]);
  });
});
