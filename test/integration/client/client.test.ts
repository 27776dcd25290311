import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index.js';
import { allPages, batchOperateAll } from '../../../lib/fdi/client/client.js';
import { FdiError } from '../../../lib/fdi/client/fdi-error.js';
import { Secret } from '../../../lib/secret.js';
import { TARGET, testClient } from '../../helpers/client.js';

const body = (name: string) => ({
  task: {
    task_name: name,
    task_type: 'REALTIME' as const,
    source_datasource_id: '30969b205e8f4392a25fb321112d1753',
    target_datasource_id: '30969b205e8f4392a25fb321112d1753',
  },
  task_detail: '{}',
});

describe('FDI client authentication against the emulator', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({
      tokens: ['static-token-123'],
      aksk: [{ ak: 'AKTEST', sk: 'SKSECRET-xyz' }],
      iamUsers: [{ domain: 'dom', user: 'alice', password: 'pw-secret-9' }],
    });
  });
  afterAll(() => emu.close());
  beforeEach(() => emu.reset());

  it('a static token works; a wrong one is a typed 401 without the token in it', async () => {
    const ok = testClient(emu.url, { kind: 'token', token: new Secret('static-token-123') });
    const created = await ok.client.createTask(TARGET, body('tok-1'));
    expect(created.task.task_name).toBe('tok-1');
    const bad = testClient(emu.url, { kind: 'token', token: new Secret('wrong-token-456') });
    const err = await bad.client.listTasks(TARGET).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FdiError);
    expect(err).toMatchObject({ status: 401, errorCode: 'APIGW.0301' });
    expect(JSON.stringify(err) + String(err) + (err as Error).stack).not.toContain('wrong-token-456');
  });

  it('AK/SK signing is accepted for reads and writes; a wrong secret is refused', async () => {
    const ok = testClient(emu.url, { kind: 'aksk', accessKey: 'AKTEST', secretKey: new Secret('SKSECRET-xyz') });
    await ok.client.createTask(TARGET, body('aksk-1'));
    const page = await ok.client.listTasks(TARGET, { name: 'aksk', limit: 5 });
    expect(page.entities.map((t) => t.task_name)).toEqual(['aksk-1']);
    const bad = testClient(emu.url, { kind: 'aksk', accessKey: 'AKTEST', secretKey: new Secret('not-the-secret') });
    const err = (await bad.client.listTasks(TARGET).catch((e: unknown) => e)) as FdiError;
    expect(err.status).toBe(401);
    expect(`${err.message} ${err.errorMsg}`).not.toContain('not-the-secret');
  });

  it('IAM password flow: fetches a token once, refreshes once after expiry mid-run', async () => {
    const { client, scheduler } = testClient(emu.url, {
      kind: 'iam',
      endpoint: emu.url,
      domain: 'dom',
      user: 'alice',
      password: new Secret('pw-secret-9'),
    });
    await client.createTask(TARGET, body('iam-1'));
    await client.createTask(TARGET, body('iam-2'));
    expect(emu.stats().requests['POST /v3/auth/tokens']?.['201']).toBe(1);
    emu.expireTokens();
    await client.createTask(TARGET, body('iam-3'));
    const s = emu.stats();
    expect(s.requests['POST /v3/auth/tokens']?.['201']).toBe(2);
    expect(s.createsCommitted).toEqual({ 'iam-1': 1, 'iam-2': 1, 'iam-3': 1 });
    expect(scheduler.stats.byStatus['401']).toBe(1);
  });

  it('IAM with a wrong password fails with a message that names the user, not the password', async () => {
    const { client } = testClient(emu.url, {
      kind: 'iam',
      endpoint: emu.url,
      domain: 'dom',
      user: 'alice',
      password: new Secret('bad-password-1'),
    });
    const err = (await client.listTasks(TARGET).catch((e: unknown) => e)) as FdiError;
    expect(err).toBeInstanceOf(FdiError);
    expect(err.message).toContain('alice');
    expect(JSON.stringify(err) + err.message + err.stack).not.toContain('bad-password-1');
  });

  it('refreshes a short-lived IAM token before it expires, without a 401', async () => {
    emu.configure({ tokenTtlSeconds: 2 });
    try {
      const { client, scheduler } = testClient(emu.url, {
        kind: 'iam',
        endpoint: emu.url,
        domain: 'dom',
        user: 'alice',
        password: new Secret('pw-secret-9'),
      });
      await client.listTasks(TARGET);
      await new Promise((r) => setTimeout(r, 1700));
      await client.listTasks(TARGET);
      expect(emu.stats().requests['POST /v3/auth/tokens']?.['201']).toBe(2);
      expect(scheduler.stats.byStatus['401']).toBeUndefined();
    } finally {
      emu.configure({ tokenTtlSeconds: 86400 });
    }
  });
});

describe('FDI client operations', () => {
  let emu: Emulator;
  beforeAll(async () => {
    // Details echoed as sent, so the update below can be read back as written.
    emu = await startEmulator({ detailForm: 'request' });
  });
  afterAll(() => emu.close());

  it('pages through listings, shows, updates, starts in chunks of 10 and deletes', async () => {
    const { client } = testClient(emu.url, { kind: 'token', token: new Secret('local-token') });
    const ids: string[] = [];
    for (let i = 0; i < 25; i++)
      ids.push((await client.createTask(TARGET, body(`op-${String(i).padStart(2, '0')}`))).task.task_id);
    const seen: string[] = [];
    for await (const t of allPages((offset, limit) => client.listTasks(TARGET, { offset, limit }), 7))
      seen.push(t.task_name);
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
    const shown = await client.showTask(TARGET, ids[3]);
    expect(shown.task.task_name).toBe('op-03');
    await client.updateTask(TARGET, ids[3], { ...body('op-03'), task_detail: '{"changed":true}' });
    expect((await client.showTask(TARGET, ids[3])).task_detail).toBe('{"changed":true}');
    expect(() => client.batchOperate(TARGET, 'start', ids.slice(0, 11))).toThrow(RangeError);
    const started = await batchOperateAll(client, TARGET, 'start', ids);
    expect(started).toMatchObject({ success_count: 25, failure_count: 0 });
    expect(emu.stats().requests['POST /batch-operation/tasks']?.['200']).toBe(3);
    await batchOperateAll(client, TARGET, 'stop', [ids[0]]);
    await client.deleteTask(TARGET, ids[0]);
    const gone = (await client.showTask(TARGET, ids[0]).catch((e: unknown) => e)) as FdiError;
    expect(gone).toMatchObject({ status: 404, errorCode: 'FDI.3081' });
  });

  it('lists data sources with the fuzzy name filter; the caller matches exactly', async () => {
    const { client } = testClient(emu.url, { kind: 'token', token: new Secret('local-token') });
    const page = await client.listDatasources(TARGET, { name: 'crm-api' });
    expect(page.entities.map((d) => d.datasource_name).sort()).toEqual(['crm-api', 'crm-api-v2']);
  });
});
