/**
 * The run-end notice from the function (docs/NOTIFY.md), on both platforms: manifests uploaded to the
 * local stack's bucket run through the Lambda or the FunctionGraph handler, and a real receiver on
 * loopback hears of each run's end — once per run, however many invocations it took (a suspended
 * invocation has not ended the run), with the report's folder in the bucket. A failing or hanging
 * receiver changes neither the run's outcome nor its report, and holds the invocation no longer than
 * the notice's timeout. No secret reaches the function's log.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Logger } from '../../../lib/logger.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PLATFORMS, startLocalStack, type LocalStack, type Platform } from '../../../local/stack.js';
import { bulkManifest, tempDir } from '../../helpers/cli.js';
import { getReport, upload } from '../../helpers/stack.js';
import { startReceiver, type Receiver } from './receiver.js';

const PATH_SECRET = 'fn-path-secret-93be01';
const HEADER_SECRET = 'fn-hdr-secret-5d77a2';

/** A debug logger whose lines the test reads. */
function capturedLogger(): { logger: Logger; text: () => string } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), text: () => lines.join('') };
}

async function notifyStack(
  platform: Platform,
  receiver: Receiver,
  logger: Logger,
  extra: Partial<Parameters<typeof startLocalStack>[0]> = {},
): Promise<LocalStack> {
  return startLocalStack({
    dataDir: await tempDir(`fdi-notify-fn-${platform}-`),
    logger,
    platform,
    ...extra,
    env: {
      FDI_NOTIFY_URL: `${receiver.origin}/hook/${PATH_SECRET}`,
      FDI_NOTIFY_HEADERS: JSON.stringify({ 'X-Hook-Token': HEADER_SECRET }),
      FDI_NOTIFY_ATTEMPTS: '3',
      FDI_NOTIFY_TIMEOUT_MS: '4000',
      FDI_NOTIFY_ATTEMPT_TIMEOUT_MS: '60000',
      ...extra.env,
    },
  });
}

describe.each(PLATFORMS)('the run-end notice from the %s handler', (platform) => {
  let receiver: Receiver;
  let stack: LocalStack;
  const log = capturedLogger();
  beforeAll(async () => {
    receiver = await startReceiver();
    stack = await notifyStack(platform, receiver, log.logger);
  });
  afterAll(async () => {
    await stack?.close();
    await receiver?.close();
  });
  beforeEach(() => {
    receiver.mode = 'ok';
    receiver.clear();
  });

  it('one notice per run, with the report folder in the bucket; a rejected upload is told too', async () => {
    await upload(stack, 'manifests/notify/wave.yaml', bulkManifest(5, { prefix: `fn-${platform}` }));
    await stack.idle();
    await upload(stack, 'manifests/notify/bad.yaml', 'version: 1\ntasks: []\n');
    await stack.idle();
    expect(receiver.received.map((r) => r.body.status)).toEqual(['succeeded', 'rejected']);
    const [ok, rejected] = receiver.received.map((r) => r.body);
    const report = await getReport(stack, 'reports/notify/wave/latest.json');
    expect(ok).toMatchObject({
      run_id: report.run_id,
      operation: 'apply',
      manifest: `s3://${stack.bucket}/manifests/notify/wave.yaml`,
      counts: report.counts,
      duration_ms: report.duration_ms,
      report: `s3://${stack.bucket}/reports/notify/wave/${report.run_id}/`,
      requested_by: { via: platform === 'aws' ? 's3-event' : 'obs-event' },
    });
    expect(ok.counts).toMatchObject({ total: 5, created: 5 });
    expect(rejected.manifest).toBe(`s3://${stack.bucket}/manifests/notify/bad.yaml`);
    expect(receiver.received.every((r) => r.headers['x-hook-token'] === HEADER_SECRET)).toBe(true);
    expect(log.text()).toContain('run-end notice delivered');
    for (const text of [JSON.stringify(report), JSON.stringify(receiver.received.map((r) => r.body))]) {
      expect(text).not.toContain(PATH_SECRET);
      expect(text).not.toContain(HEADER_SECRET);
    }
  });

  it('a receiver that fails: tried again, given up with a warning; the run finishes as it would', async () => {
    receiver.mode = 'fail';
    await upload(stack, 'manifests/notify/failing.yaml', bulkManifest(3, { prefix: `fail-${platform}` }));
    await stack.idle();
    expect(receiver.received).toHaveLength(3);
    const report = await getReport(stack, 'reports/notify/failing/latest.json');
    expect(report.status).toBe('succeeded');
    expect(stack.outcomes.filter((o) => o.kind === 'finished' && o.runId === report.run_id)).toHaveLength(1);
    expect(log.text()).toContain('run-end notice not delivered (HTTP 500)');
  });

  it('a receiver that hangs holds the invocation no longer than the notice timeout', async () => {
    receiver.mode = 'hang';
    const started = Date.now();
    await upload(stack, 'manifests/notify/hanging.yaml', bulkManifest(3, { prefix: `hang-${platform}` }));
    await stack.idle();
    const elapsed = Date.now() - started;
    const report = await getReport(stack, 'reports/notify/hanging/latest.json');
    expect(report.status).toBe('succeeded');
    expect(stack.outcomes.filter((o) => o.kind === 'finished' && o.runId === report.run_id)).toHaveLength(1);
    expect(log.text()).toContain('run-end notice not delivered within FDI_NOTIFY_TIMEOUT_MS (4000 ms)');
    // Generous: a small run and the notice's 4 s, far below one attempt's 60 s.
    expect(elapsed).toBeLessThan(30_000);
  });

  it('no secret in the function log', () => {
    expect(log.text()).not.toContain(PATH_SECRET);
    expect(log.text()).not.toContain(HEADER_SECRET);
  });
});

describe('a run continued over several invocations is told once, when it ends', () => {
  let receiver: Receiver;
  let stack: LocalStack;
  beforeAll(async () => {
    receiver = await startReceiver();
    stack = await notifyStack('aws', receiver, capturedLogger().logger, {
      env: { FDI_RATE: '40', FDI_TIMEOUT_MS: '1000' },
      invocationTimeoutMs: 2500,
      deadline: { softMarginMs: 1000, hardMarginMs: 200 },
    });
  });
  afterAll(async () => {
    await stack?.close();
    await receiver?.close();
  });

  it('one notice for the whole run, after its last invocation', async () => {
    await upload(
      stack,
      'manifests/long/wave.yaml',
      bulkManifest(150, { prefix: 'long', instances: ['local-instance', 'local-instance-2'] }),
    );
    await stack.idle();
    expect(stack.outcomes.filter((o) => o.kind === 'continued').length).toBeGreaterThanOrEqual(1);
    const report = await getReport(stack, 'reports/long/wave/latest.json');
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0].body).toMatchObject({
      run_id: report.run_id,
      status: 'succeeded',
      counts: { total: 150, created: 150 },
    });
  });
});
