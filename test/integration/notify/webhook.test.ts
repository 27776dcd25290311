/**
 * The notice's sender (lib/notify/webhook.ts) against a real HTTP server on loopback, for what the run
 * tests do not vary: the chat tools' bodies and their refusals inside a 200, a 429's Retry-After, a
 * final 4xx, a redirect not followed; and the deployed Lambda's cold start reading the URL and the
 * headers from Parameter Store (a stand-in) like the FDI secrets.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../lib/config.js';
import type { Logger } from '../../../lib/logger.js';
import { operatorNotifier, runNotice, type NotifySettings } from '../../../lib/notify/index.js';
import { webhookNotifier } from '../../../lib/notify/webhook.js';
import type { Report } from '../../../lib/report/types.js';
import { resolveSecretParams } from '../../../lib/trigger/aws-secrets.js';
import { startSsmStandIn } from '../deploy/ssm-standin.js';
import { oneTaskReport } from '../../helpers/report.js';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

interface Hit {
  path: string;
  body: unknown;
}

const REPORT: Report = oneTaskReport('20261129T120000Z-abc123', '2026-11-29T12:00:00.000Z', {
  manifest: { uri: 's3://b/manifests/w.yaml' },
  tasks: [],
});
const NOTICE = runNotice(REPORT, 's3://b/reports/w/20261129T120000Z-abc123/');
const TOKEN = 'tok-1d9e2c44f0';

function captured(): { logger: Logger; lines: () => Array<Record<string, unknown>>; raw: () => string } {
  const out: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      out.push(chunk.toString());
      done();
    },
  });
  return {
    logger: pino({ level: 'debug' }, sink),
    lines: () => out.map((l) => JSON.parse(l) as Record<string, unknown>),
    raw: () => out.join(''),
  };
}

describe('the webhook sender', () => {
  let origin: string;
  let handler: Handler = (_req, _body, res) => res.end();
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body += d));
    req.on('end', () => {
      hits.push({ path: req.url ?? '', body: JSON.parse(body) as unknown });
      handler(req, body, res);
    });
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const settings = (env: Record<string, string>): NotifySettings =>
    loadConfig({ FDI_NOTIFY_URL: `${origin}/hook?key=${TOKEN}`, FDI_NOTIFY_ATTEMPTS: '3', ...env }).notify!;

  async function send(env: Record<string, string>, respond: Handler) {
    hits.splice(0);
    handler = respond;
    const log = captured();
    const started = Date.now();
    await webhookNotifier(settings(env), log.logger, { random: () => 0 })(NOTICE);
    return { hits: [...hits], log, elapsed: Date.now() - started };
  }

  it.each([
    ['feishu', { msg_type: 'text', content: { text: NOTICE.text } }],
    ['dingtalk', { msgtype: 'text', text: { content: NOTICE.text } }],
    ['wecom', { msgtype: 'text', text: { content: NOTICE.text } }],
  ])('%s: its own text message', async (format, body) => {
    const { hits: got, log } = await send({ FDI_NOTIFY_FORMAT: format }, (_q, _b, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(format === 'feishu' ? { code: 0, msg: 'success' } : { errcode: 0, errmsg: 'ok' }));
    });
    expect(got.map((h) => h.body)).toEqual([body]);
    expect(log.raw()).toContain('run-end notice delivered');
  });

  it('a chat tool refusing inside a 200: not retried, logged with its code and message, scrubbed', async () => {
    const { hits: got, log } = await send({ FDI_NOTIFY_FORMAT: 'dingtalk' }, (_q, _b, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errcode: 310000, errmsg: `keywords not in content (key=${TOKEN})` }));
    });
    expect(got).toHaveLength(1);
    const warning = log.lines().find((l) => l.level === 40);
    expect(warning?.msg).toContain('refused (code 310000: keywords not in content (key=[redacted]))');
    expect(log.raw()).not.toContain(TOKEN);
  });

  it('a refusal quoting the secret where the logged message is cut: no part of the secret is logged', async () => {
    const { log } = await send({ FDI_NOTIFY_FORMAT: 'wecom' }, (_q, _b, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      // The token straddles the length the message is cut to.
      res.end(JSON.stringify({ errcode: 93000, errmsg: `${'x'.repeat(106)} bad key ${TOKEN}` }));
    });
    expect(log.raw()).not.toContain(TOKEN.slice(0, 5));
    expect(log.raw()).toContain('[redacted]');
  });

  it("a 429's Retry-After is waited for, then the notice goes through", async () => {
    let n = 0;
    const { hits: got, elapsed } = await send({}, (_q, _b, res) => {
      if (n++ === 0) res.writeHead(429, { 'retry-after': '1' }).end();
      else res.writeHead(204).end();
    });
    expect(got).toHaveLength(2);
    expect(elapsed).toBeGreaterThanOrEqual(950);
  });

  it('a 4xx is final; a redirect is not followed', async () => {
    const refused = await send({}, (_q, _b, res) => res.writeHead(403).end());
    expect(refused.hits).toHaveLength(1);
    expect(refused.log.raw()).toContain('run-end notice not delivered (HTTP 403)');
    const moved = await send({}, (_q, _b, res) => res.writeHead(302, { location: `${origin}/elsewhere` }).end());
    expect(moved.hits.map((h) => h.path)).toEqual([`/hook?key=${TOKEN}`]);
    expect(moved.log.raw()).toContain('run-end notice not delivered (HTTP 302)');
    expect(moved.log.raw()).not.toContain(TOKEN);
  });

  it("the operator's notifier: with less time left than one attempt needs nothing is sent; with time, it goes", async () => {
    hits.splice(0);
    handler = (_q, _b, res) => res.writeHead(204).end();
    const log = captured();
    await operatorNotifier(settings({}), log.logger, () => 99)!(NOTICE);
    expect(hits).toHaveLength(0);
    expect(log.raw()).toContain('run-end notice not sent: no time left');
    await operatorNotifier(settings({}), log.logger, () => 5_000)!(NOTICE);
    expect(hits).toHaveLength(1);
    expect(log.raw()).toContain('run-end notice delivered');
  });

  it('a receiver that is not there: network errors tried again, then given up', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const log = captured();
    const s = loadConfig({ FDI_NOTIFY_URL: `http://127.0.0.1:${port}/x`, FDI_NOTIFY_ATTEMPTS: '2' }).notify!;
    await webhookNotifier(s, log.logger, { random: () => 0 })(NOTICE);
    expect(log.raw()).toContain('run-end notice not delivered (ECONNREFUSED)');
    expect(log.lines().find((l) => l.level === 40)).toMatchObject({ attempts: 2 });
  });
});

describe('on AWS, the URL and the headers from Parameter Store', () => {
  it('FDI_NOTIFY_URL_PARAM and FDI_NOTIFY_HEADERS_PARAM are resolved at cold start like the FDI secrets', async () => {
    const ssm = await startSsmStandIn({
      '/fdi-provisioner/test/notify-url': `https://hooks.example.com/services/${TOKEN}`,
      '/fdi-provisioner/test/notify-headers': JSON.stringify({ Authorization: `Bearer ${TOKEN}` }),
    });
    try {
      const client = new SSMClient({
        region: 'us-east-1',
        endpoint: ssm.endpoint,
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'local-secret' },
      });
      const env = await resolveSecretParams(
        {
          FDI_NOTIFY_URL_PARAM: '/fdi-provisioner/test/notify-url',
          FDI_NOTIFY_HEADERS_PARAM: '/fdi-provisioner/test/notify-headers',
        },
        { ssm: client },
      );
      const notify = loadConfig(env).notify!;
      expect(notify.origin).toBe('https://hooks.example.com');
      expect(notify.url.reveal()).toBe(`https://hooks.example.com/services/${TOKEN}`);
      expect(notify.headers.map(([n, v]) => [n, v.reveal()])).toEqual([['Authorization', `Bearer ${TOKEN}`]]);
      expect(ssm.calls).toHaveLength(1);
    } finally {
      await ssm.close();
    }
  });
});
