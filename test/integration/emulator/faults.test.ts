import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, type FaultKind, startEmulator } from '../../../emulator/index.js';
import { BASE, call, outcome, taskBody } from './helpers.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ hangMs: 300 });
});
afterAll(() => emu.close());
beforeEach(() => {
  emu.configure({ faults: {}, rateQuota: undefined, retryAfterSeconds: undefined, latencyMs: 0, jitterMs: 0 });
  emu.reset();
});

describe('rate quota', () => {
  it('answers 429 APIGW.0308 with Retry-After past the burst, and refills at the rate', async () => {
    emu.configure({ rateQuota: 5, retryAfterSeconds: 2 });
    const results = await Promise.all(Array.from({ length: 20 }, () => call(emu.url, 'GET', `${BASE}/tasks`)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(15);
    const throttled = results.find((r) => r.status === 429)!;
    expect(throttled.headers['retry-after']).toBe('2');
    expect(throttled.json).toMatchObject({
      error_code: 'APIGW.0308',
      error_msg: 'The throttling threshold has been reached: policy user over ratelimit,limit:5,time:1 second',
    });
    expect(emu.stats().throttled).toBe(15);
    await new Promise((r) => setTimeout(r, 450)); // ≥ 2 tokens at 5/s
    expect((await call(emu.url, 'GET', `${BASE}/tasks`)).status).toBe(200);
  });

  it('sends no Retry-After unless configured, and unlimited when switched off', async () => {
    emu.configure({ rateQuota: 1 });
    const [, second] = [await call(emu.url, 'GET', `${BASE}/tasks`), await call(emu.url, 'GET', `${BASE}/tasks`)];
    expect(second.status).toBe(429);
    expect(second.headers['retry-after']).toBeUndefined();
    emu.configure({ rateQuota: undefined });
    const burst = await Promise.all(Array.from({ length: 30 }, () => call(emu.url, 'GET', `${BASE}/tasks`)));
    expect(burst.every((r) => r.status === 200)).toBe(true);
  });

  it('does not throttle the IAM route or the control routes', async () => {
    emu.configure({ rateQuota: 1 });
    await call(emu.url, 'GET', `${BASE}/tasks`);
    expect((await call(emu.url, 'GET', '/__emulator/stats')).status).toBe(200);
    const iam = await call(emu.url, 'POST', '/v3/auth/tokens', { auth: false, body: {} });
    expect(iam.status).toBe(401);
  });
});

describe('each fault kind', () => {
  async function withFault(kind: FaultKind) {
    emu.configure({ faults: { [kind]: 1 } });
  }

  it('500: FDI.9999 before anything is stored, the attempt is still counted', async () => {
    await withFault('500');
    const res = await call(emu.url, 'POST', `${BASE}/tasks`, { body: taskBody('fault-500') });
    expect(res.status).toBe(500);
    expect(res.json).toMatchObject({ error_code: 'FDI.9999', error_msg: 'Network error.' });
    expect(emu.tasks()).toHaveLength(0);
    expect(emu.stats()).toMatchObject({
      createAttempts: { 'fault-500': 1 },
      createsCommitted: {},
      faultsInjected: { 500: 1 },
    });
  });

  it('500-after-commit: the task IS stored, the client gets 500', async () => {
    await withFault('500-after-commit');
    const res = await call(emu.url, 'POST', `${BASE}/tasks`, { body: taskBody('fault-after') });
    expect(res.status).toBe(500);
    expect(res.json.error_code).toBe('FDI.9999');
    expect(emu.tasks().map((t) => t.task_name)).toEqual(['fault-after']);
    expect(emu.stats()).toMatchObject({
      createsCommitted: { 'fault-after': 1 },
      faultsInjected: { '500-after-commit': 1 },
    });
    // Reads are unaffected; the retry finds the name taken.
    const list = await call(emu.url, 'GET', `${BASE}/tasks?name=fault-after`);
    expect(list.status).toBe(200);
    expect(list.json.total).toBe(1);
    const again = await call(emu.url, 'POST', `${BASE}/tasks`, { body: taskBody('fault-after') });
    expect(again.status).toBe(400);
    expect(again.json.error_msg).toContain('already exists');
  });

  it('500-after-commit applies to PUT too: the update is stored', async () => {
    const created = await call(emu.url, 'POST', `${BASE}/tasks`, { body: taskBody('put-before') });
    await withFault('500-after-commit');
    const res = await call(emu.url, 'PUT', `${BASE}/tasks/${created.json.task.task_id}`, {
      body: taskBody('put-after'),
    });
    expect(res.status).toBe(500);
    expect(emu.tasks()[0].task_name).toBe('put-after');
  });

  it.each([
    ['502', 502, 'APIGW.0202'],
    ['503', 503, 'APIGW.0202'],
    ['504', 504, 'APIGW.0203'],
  ] as const)('%s: a gateway-style error body', async (kind, status, code) => {
    await withFault(kind);
    const res = await call(emu.url, 'POST', `${BASE}/tasks`, { body: taskBody(`fault-${kind}`) });
    expect(res.status).toBe(status);
    expect(res.json).toEqual({
      error_code: code,
      error_msg: expect.any(String),
      request_id: res.headers['x-request-id'],
    });
    expect(emu.tasks()).toHaveLength(0);
  });

  it('429: APIGW.0308 with Retry-After when configured, counted as throttled', async () => {
    emu.configure({ faults: { 429: 1 }, retryAfterSeconds: 3 });
    const res = await call(emu.url, 'GET', `${BASE}/tasks`);
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('3');
    expect(res.json.error_code).toBe('APIGW.0308');
    expect(emu.stats()).toMatchObject({ throttled: 1, faultsInjected: { 429: 1 } });
  });

  it('reset: the connection drops without an answer', async () => {
    await withFault('reset');
    await expect(call(emu.url, 'POST', `${BASE}/tasks`, { body: taskBody('fault-reset') })).rejects.toMatchObject({
      code: 'ECONNRESET',
    });
    expect(emu.tasks()).toHaveLength(0);
    expect(emu.stats().requests['POST /tasks']).toEqual({ reset: 1 });
  });

  it('hang: no answer; the client times out, and the emulator drops the socket after hangMs', async () => {
    await withFault('hang');
    await expect(call(emu.url, 'GET', `${BASE}/tasks`, { timeoutMs: 100 })).rejects.toMatchObject({
      code: 'CLIENT_TIMEOUT',
    });
    const started = performance.now();
    await expect(call(emu.url, 'GET', `${BASE}/tasks`)).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    expect(emu.stats().requests['GET /tasks']).toEqual({ hang: 2 });
  });

  it('faults never touch the control routes', async () => {
    await withFault('reset');
    expect((await call(emu.url, 'GET', '/__emulator/stats')).status).toBe(200);
  });
});

describe('latency', () => {
  it('delays every API answer by latencyMs plus up to jitterMs', async () => {
    emu.configure({ latencyMs: 120, jitterMs: 30 });
    const started = performance.now();
    await call(emu.url, 'GET', `${BASE}/tasks`);
    const took = performance.now() - started;
    expect(took).toBeGreaterThanOrEqual(115);
    expect(took).toBeLessThan(2_000);
  });

  it('a client that times out during the latency does not stop the create: the timeout is ambiguous', async () => {
    emu.configure({ latencyMs: 200 });
    await expect(
      call(emu.url, 'POST', `${BASE}/tasks`, { body: taskBody('late-commit'), timeoutMs: 50 }),
    ).rejects.toMatchObject({ code: 'CLIENT_TIMEOUT' });
    await new Promise((r) => setTimeout(r, 300));
    expect(emu.tasks().map((t) => t.task_name)).toEqual(['late-commit']);
    expect(emu.stats()).toMatchObject({
      requests: { 'POST /tasks': { aborted: 1 } },
      createsCommitted: { 'late-commit': 1 },
    });
  });
});

describe('close()', () => {
  it('ends hanging requests and resolves promptly', async () => {
    const e = await startEmulator({ faults: { hang: 1 }, hangMs: 60_000 });
    const pending = call(e.url, 'GET', `${BASE}/tasks`).then(
      () => 'answered',
      (err: NodeJS.ErrnoException) => err.code,
    );
    await new Promise((r) => setTimeout(r, 50));
    const started = performance.now();
    await e.close();
    expect(await pending).toBe('ECONNRESET');
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe('seeded reproducibility', () => {
  const FAULTS = { 500: 0.15, '500-after-commit': 0.1, 502: 0.05, 503: 0.05, 504: 0.05, 429: 0.1, reset: 0.1 };

  async function sequence(e: Emulator): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < 40; i += 1) {
      out.push(
        i % 3 === 0
          ? await outcome(e.url, 'GET', `${BASE}/tasks`)
          : await outcome(e.url, 'POST', `${BASE}/tasks`, { body: taskBody(`seq-${i}`) }),
      );
    }
    return out;
  }

  it('the same seed gives the same outcomes for the same requests; another seed does not', async () => {
    const [a, b, c] = await Promise.all([
      startEmulator({ seed: 42, faults: FAULTS, jitterMs: 5 }),
      startEmulator({ seed: 42, faults: FAULTS, jitterMs: 5 }),
      startEmulator({ seed: 43, faults: FAULTS, jitterMs: 5 }),
    ]);
    try {
      const first = await sequence(a);
      const second = await sequence(b);
      expect(second).toEqual(first);
      expect(new Set(first).size).toBeGreaterThanOrEqual(4);
      expect(a.stats().faultsInjected).toEqual(b.stats().faultsInjected);
      expect(a.tasks().map((t) => t.task_name)).toEqual(b.tasks().map((t) => t.task_name));
      expect(await sequence(c)).not.toEqual(first);
      // reset() re-seeds: the sequence starts over.
      a.reset();
      expect(await sequence(a)).toEqual(first);
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });
});
