import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../../emulator/index.js';
import { signRequest } from '../../../lib/fdi/model/signer.js';
import { BASE, call, taskBody } from './helpers.js';

const AK = 'TESTACCESSKEY0001';
const SK = 'test-secret-key-do-not-echo';
const IAM_BODY = {
  auth: {
    identity: {
      methods: ['password'],
      password: { user: { name: 'local-user', password: 'local-password', domain: { name: 'local-domain' } } },
    },
    scope: { project: { name: 'cn-north-4' } },
  },
};

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ aksk: [{ ak: AK, sk: SK }], tokens: ['local-token', 'second-token'] });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

function expectNoSecret(text: string, ...secrets: string[]) {
  for (const s of secrets) expect(text).not.toContain(s);
}

describe('X-Auth-Token', () => {
  it('accepts every configured static token', async () => {
    for (const token of ['local-token', 'second-token']) {
      expect((await call(emu.url, 'GET', `${BASE}/tasks`, { headers: { 'X-Auth-Token': token } })).status).toBe(200);
    }
  });

  it('answers 401 APIGW.0301 "x-auth-token not found" without credentials', async () => {
    const res = await call(emu.url, 'GET', `${BASE}/tasks`, { auth: false });
    expect(res.status).toBe(401);
    expect(res.json).toEqual({
      error_code: 'APIGW.0301',
      error_msg: 'Incorrect IAM authentication information: x-auth-token not found',
      request_id: expect.any(String),
    });
  });

  it('answers 401 APIGW.0301 "decrypt token fail" to a wrong token, without echoing it', async () => {
    const res = await call(emu.url, 'POST', `${BASE}/tasks`, {
      headers: { 'X-Auth-Token': 'wrong-token-value' },
      body: taskBody('nope'),
    });
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({
      error_code: 'APIGW.0301',
      error_msg: expect.stringContaining('decrypt token fail'),
    });
    expectNoSecret(res.text, 'wrong-token-value');
    expect(emu.tasks()).toHaveLength(0);
  });
});

describe('IAM POST /v3/auth/tokens', () => {
  it('issues a token with an expiry (201, X-Subject-Token) that the FDI routes accept', async () => {
    const before = Date.now();
    const res = await call(emu.url, 'POST', '/v3/auth/tokens?nocatalog=true', { auth: false, body: IAM_BODY });
    expect(res.status).toBe(201);
    const token = res.headers['x-subject-token'] as string;
    expect(token).toMatch(/^MII[\w-]{40,}$/);
    expect(res.json.token).toMatchObject({
      methods: ['password'],
      user: { name: 'local-user', domain: { name: 'local-domain' } },
      project: { name: 'cn-north-4' },
    });
    const expires = Date.parse(res.json.token.expires_at);
    expect(expires - before).toBeGreaterThanOrEqual(86_400_000 - 5_000);
    expect(expires - before).toBeLessThanOrEqual(86_400_000 + 5_000);
    expectNoSecret(res.text, token, 'local-password');
    expect((await call(emu.url, 'GET', `${BASE}/tasks`, { headers: { 'X-Auth-Token': token } })).status).toBe(200);
    expect(emu.stats().requests['POST /v3/auth/tokens']).toEqual({ 201: 1 });
  });

  it.each([
    ['password', { password: 'wrong' }],
    ['user', { name: 'nobody' }],
    ['domain', { domain: { name: 'other-domain' } }],
  ])('answers 401 in IAM’s own error shape to a wrong %s', async (_what, change) => {
    const body = structuredClone(IAM_BODY);
    Object.assign(body.auth.identity.password.user, change);
    const res = await call(emu.url, 'POST', '/v3/auth/tokens', { auth: false, body });
    expect(res.status).toBe(401);
    expect(res.json).toEqual({
      error: { code: 401, message: 'The username or password is wrong.', title: 'Unauthorized' },
    });
    expect(res.headers['x-subject-token']).toBeUndefined();
  });

  it('answers 400 to a body that is not JSON', async () => {
    const res = await call(emu.url, 'POST', '/v3/auth/tokens', { auth: false, body: 'auth=' });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe(400);
  });

  it('an expired IAM token answers 401 APIGW.0307; a fresh one works again', async () => {
    const old = (await call(emu.url, 'POST', '/v3/auth/tokens', { auth: false, body: IAM_BODY })).headers[
      'x-subject-token'
    ] as string;
    emu.expireTokens();
    const res = await call(emu.url, 'GET', `${BASE}/tasks`, { headers: { 'X-Auth-Token': old } });
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({ error_code: 'APIGW.0307', error_msg: 'The token must be updated.' });
    expect((await call(emu.url, 'GET', `${BASE}/tasks`)).status).toBe(200); // static tokens never expire
    const fresh = (await call(emu.url, 'POST', '/v3/auth/tokens', { auth: false, body: IAM_BODY })).headers[
      'x-subject-token'
    ] as string;
    expect((await call(emu.url, 'GET', `${BASE}/tasks`, { headers: { 'X-Auth-Token': fresh } })).status).toBe(200);
  });

  it('POST /__emulator/expire-tokens does the same over HTTP, and tokenTtlSeconds shortens the lifetime', async () => {
    emu.configure({ tokenTtlSeconds: 1 });
    try {
      const res = await call(emu.url, 'POST', '/v3/auth/tokens', { auth: false, body: IAM_BODY });
      const ttl = Date.parse(res.json.token.expires_at) - Date.parse(res.json.token.issued_at);
      expect(ttl).toBe(1000);
      const token = res.headers['x-subject-token'] as string;
      expect((await call(emu.url, 'POST', '/__emulator/expire-tokens', { auth: false })).status).toBe(204);
      expect(
        (await call(emu.url, 'GET', `${BASE}/tasks`, { headers: { 'X-Auth-Token': token } })).json.error_code,
      ).toBe('APIGW.0307');
    } finally {
      emu.configure({ tokenTtlSeconds: 86_400 });
    }
  });
});

describe('AK/SK SDK-HMAC-SHA256', () => {
  const path = `${BASE}/tasks?limit=5&name=signed`;

  function signed(body: string, creds = { accessKey: AK, secretKey: SK }, now = new Date()): Record<string, string> {
    const headers = { 'Content-Type': 'application/json;charset=UTF-8', 'X-Project-Id': 'local-project' };
    return { ...headers, ...signRequest({ method: 'POST', url: path, headers, body }, creds, now) };
  }

  it('accepts a request signed with signRequest over the exact body bytes', async () => {
    const body = `${JSON.stringify(taskBody('signed-task'))}\n`;
    const res = await call(emu.url, 'POST', path, { auth: false, headers: signed(body), body });
    expect(res.status).toBe(200);
    expect(res.json.task.task_name).toBe('signed-task');
  });

  it('accepts a signed GET with a query', async () => {
    const headers = signRequest({ method: 'GET', url: path, headers: {} }, { accessKey: AK, secretKey: SK });
    expect((await call(emu.url, 'GET', path, { auth: false, headers })).status).toBe(200);
  });

  it.each([
    ['a tampered body', (b: string) => ({ body: b.replace('tampered-task', 'tampered-tas2'), headers: signed(b) })],
    ['a wrong secret key', (b: string) => ({ body: b, headers: signed(b, { accessKey: AK, secretKey: 'other' }) })],
    ['an unknown access key', (b: string) => ({ body: b, headers: signed(b, { accessKey: 'NOBODY', secretKey: SK }) })],
    [
      'a changed signed header',
      (b: string) => ({ body: b, headers: { ...signed(b), 'X-Project-Id': 'other-project' } }),
    ],
  ])('refuses %s with 401 APIGW.0301 "verify aksk signature fail"', async (_what, make) => {
    const { body, headers } = make(JSON.stringify(taskBody('tampered-task'))) as {
      body: string;
      headers: Record<string, string>;
    };
    const res = await call(emu.url, 'POST', path, { auth: false, headers, body });
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({
      error_code: 'APIGW.0301',
      error_msg: 'Incorrect IAM authentication information: verify aksk signature fail',
    });
    expectNoSecret(res.text, SK, headers.Authorization.split('Signature=')[1]);
    expect(emu.tasks()).toHaveLength(0);
  });

  it('refuses an X-Sdk-Date more than 15 minutes off with "signature expired"', async () => {
    const body = JSON.stringify(taskBody('late-task'));
    const res = await call(emu.url, 'POST', path, {
      auth: false,
      headers: signed(body, undefined, new Date(Date.now() - 16 * 60_000)),
      body,
    });
    expect(res.status).toBe(401);
    expect(res.json.error_msg).toBe(
      'Incorrect IAM authentication information: calc ak sk signature fail: signature expired',
    );
  });
});
