/**
 * The run-end notice from the command line (docs/NOTIFY.md), against a real receiver on loopback and the
 * FDI emulator: one notice per run that ends with a report (apply, a rejected apply, destroy), none for a
 * plan; a receiver that fails is tried again and given up with a warning, one that hangs holds the run no
 * longer than the notice's timeout, and neither changes the exit code. The URL's path and the header
 * values are secrets: they reach no log line, report file or error message.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Report } from '../../../lib/report/types.js';
import { bulkManifest, runCli, writeManifest } from '../../helpers/cli.js';
import { useEmulator } from '../../helpers/emulator.js';
import { startReceiver, type Receiver } from './receiver.js';

const PATH_SECRET = 'path-secret-41d2e8c07b';
const HEADER_SECRET = 'hdr-secret-7f3a9c55e1';

describe('the run-end notice from the command line', () => {
  const fx = useEmulator('fdi-notify-cli-', {}, { FDI_RATE: '200', LOG_LEVEL: 'debug' });
  let receiver: Receiver;
  let env: Record<string, string>;
  let manifest: string;
  beforeAll(async () => {
    receiver = await startReceiver();
    env = {
      ...fx.env,
      FDI_NOTIFY_URL: `${receiver.origin}/hook/${PATH_SECRET}`,
      FDI_NOTIFY_HEADERS: JSON.stringify({ Authorization: `Bearer ${HEADER_SECRET}`, 'X-Team': 'data' }),
      FDI_NOTIFY_ATTEMPTS: '3',
    };
    manifest = await writeManifest(fx.dir, 'wave.yaml', bulkManifest(4, { prefix: 'told' }));
  });
  afterAll(() => receiver?.close());
  beforeEach(() => {
    receiver.mode = 'ok';
    receiver.clear();
  });

  it('an apply: one notice with the run summary, its headers, and no secret anywhere', async () => {
    const res = await runCli(['apply', manifest, '--report', fx.dir], { env });
    expect(res.code, res.stderr).toBe(0);
    expect(receiver.received).toHaveLength(1);
    const [{ path: url, headers, body }] = receiver.received;
    expect(url).toBe(`/hook/${PATH_SECRET}`);
    expect(headers.authorization).toBe(`Bearer ${HEADER_SECRET}`);
    expect(headers['x-team']).toBe('data');
    expect(headers['content-type']).toMatch(/^application\/json/);

    const report = JSON.parse(await readFile(path.join(body.report, 'report.json'), 'utf8')) as Report;
    expect(body).toEqual({
      event: 'fdi-provisioner.run.finished',
      version: 1,
      run_id: report.run_id,
      operation: 'apply',
      manifest: report.manifest.uri,
      status: 'succeeded',
      reason: null,
      counts: report.counts,
      started_at: report.started_at,
      finished_at: report.finished_at,
      duration_ms: report.duration_ms,
      report: body.report,
      requested_by: report.requested_by,
      text: expect.stringContaining(`apply of ${report.manifest.uri} succeeded`),
    });
    expect(body.counts).toMatchObject({ total: 4, created: 4 });
    expect(body.report.endsWith(`${report.run_id}${path.sep}`)).toBe(true);
    expect(body.requested_by).toMatchObject({ via: 'cli' });
    expect(body.text).toContain('4 tasks: 4 created');
    expect(body.text).toContain(`report ${body.report}`);

    // Debug logs, stdout and every report file: neither the URL's path nor a header value.
    expect(res.stderr).toContain('run-end notice delivered');
    const files = await readdir(body.report);
    const texts = await Promise.all(files.map((f) => readFile(path.join(body.report, f), 'utf8')));
    for (const text of [res.stderr, res.stdout, ...texts]) {
      expect(text).not.toContain(PATH_SECRET);
      expect(text).not.toContain(HEADER_SECRET);
    }
  });

  it('a rejected run and a destroy are told too; a plan is not', async () => {
    const bad = await writeManifest(fx.dir, 'bad.yaml', 'version: 1\ntasks: []\n');
    const rejected = await runCli(['apply', bad, '--report', fx.dir], { env });
    expect(rejected.code, rejected.stderr).toBe(2);
    expect(receiver.received.map((r) => [r.body.operation, r.body.status])).toEqual([['apply', 'rejected']]);
    expect(receiver.received[0].body.reason).toEqual(expect.any(String));

    const plan = await runCli(['plan', manifest], { env });
    expect(plan.code, plan.stderr).toBe(0);
    expect(receiver.received).toHaveLength(1);

    const destroyed = await runCli(['destroy', manifest, '--yes', '--report', fx.dir], { env });
    expect(destroyed.code, destroyed.stderr).toBe(0);
    expect(receiver.received.map((r) => [r.body.operation, r.body.status])).toEqual([
      ['apply', 'rejected'],
      ['destroy', 'succeeded'],
    ]);
    expect(receiver.received[1].body.counts).toMatchObject({ total: 4, deleted: 4 });
  });

  it('a manifest cannot name the webhook: the schema refuses the key, and only the configured URL is called', async () => {
    const evil = `${receiver.origin}/evil`;
    const text = (extra: string) => `${bulkManifest(1, { prefix: 'evil', extra })}`;
    const top = await writeManifest(fx.dir, 'top.yaml', `notify: { url: "${evil}" }\n${text('')}`);
    const inOptions = await writeManifest(fx.dir, 'opt.yaml', text(`options: { notify_url: "${evil}" }`));
    const { FDI_NOTIFY_URL: _url, FDI_NOTIFY_HEADERS: _headers, ...unconfigured } = env;
    for (const manifestFile of [top, inOptions]) {
      const alone = await runCli(['apply', manifestFile, '--report', fx.dir], { env: unconfigured });
      expect(alone.code, alone.stderr).toBe(2);
      expect(alone.stderr).toMatch(/unknown key "notify(_url)?"/);
      const configured = await runCli(['apply', manifestFile, '--report', fx.dir], { env });
      expect(configured.code, configured.stderr).toBe(2);
    }
    expect(receiver.received.map((r) => [r.path, r.body.status])).toEqual([
      [`/hook/${PATH_SECRET}`, 'rejected'],
      [`/hook/${PATH_SECRET}`, 'rejected'],
    ]);
  });

  it('a receiver that always fails: tried FDI_NOTIFY_ATTEMPTS times, then a warning; the exit code stands', async () => {
    receiver.mode = 'fail';
    const res = await runCli(['apply', manifest, '--report', fx.dir], { env });
    expect(res.code, res.stderr).toBe(0);
    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map((r) => r.body.run_id)).size).toBe(1);
    expect(res.stderr).toContain('run-end notice not delivered (HTTP 500)');
    const report = JSON.parse(
      await readFile(path.join(receiver.received[0].body.report, 'report.json'), 'utf8'),
    ) as Report;
    expect(report.status).toBe('succeeded');
    expect(res.stderr).not.toContain(PATH_SECRET);
    expect(res.stderr).not.toContain(HEADER_SECRET);
  });

  it('a receiver that never answers holds the run no longer than FDI_NOTIFY_TIMEOUT_MS', async () => {
    receiver.mode = 'hang';
    const started = Date.now();
    // One attempt alone could wait 60 s; the notice as a whole may take 1.5 s.
    const res = await runCli(['apply', manifest, '--report', fx.dir], {
      env: { ...env, FDI_NOTIFY_TIMEOUT_MS: '1500', FDI_NOTIFY_ATTEMPT_TIMEOUT_MS: '60000' },
    });
    const elapsed = Date.now() - started;
    expect(res.code, res.stderr).toBe(0);
    expect(receiver.received.length).toBeGreaterThanOrEqual(1);
    expect(res.stderr).toContain('run-end notice not delivered within FDI_NOTIFY_TIMEOUT_MS (1500 ms)');
    // Generous: the whole command (start-up, a small apply, the notice's 1.5 s), far below one attempt's 60 s.
    expect(elapsed).toBeLessThan(20_000);
  });

  it('a URL that is not https, or headers that are not JSON: a configuration error naming no secret', async () => {
    const http = await runCli(['apply', manifest, '--report', fx.dir], {
      env: { ...env, FDI_NOTIFY_URL: `http://hooks.example.com/hook/${PATH_SECRET}` },
    });
    expect(http.code).toBe(2);
    expect(http.stderr).toContain('FDI_NOTIFY_URL must use https');
    const headers = await runCli(['apply', manifest, '--report', fx.dir], {
      env: { ...env, FDI_NOTIFY_HEADERS: `{"Authorization": Bearer ${HEADER_SECRET}}` },
    });
    expect(headers.code).toBe(2);
    expect(headers.stderr).toContain('FDI_NOTIFY_HEADERS must be a JSON object');
    for (const res of [http, headers]) {
      expect(res.stderr).not.toContain(PATH_SECRET);
      expect(res.stderr).not.toContain(HEADER_SECRET);
    }
    expect(receiver.received).toHaveLength(0);
  });
});
