/** Duplicate and concurrent deliveries, and a run forced over its deadline that continues. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler } from '../../../handlers/manifest-uploaded.js';
import { startLocalStack, type LocalStack } from '../../../local/stack.js';
import { silentLogger } from '../../../lib/logger.js';
import { buildTriggerDeps } from '../../../lib/trigger/deps.js';
import { bulkManifest, tempDir } from '../../helpers/cli.js';
import { getReport, listKeys, s3Event, upload } from '../../helpers/stack.js';

describe('deliveries', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ dataDir: await tempDir('fdi-delivery-'), logger: silentLogger() });
  });
  afterAll(() => stack.close());

  it('the same event delivered three times (twice concurrently) provisions once', async () => {
    // Put the object with the S3 API, then deliver our own copies of its event directly to a handler.
    const key = 'manifests/dup/wave.yaml';
    await upload(stack, key, bulkManifest(25, { prefix: 'dup' }));
    await stack.idle();
    const firstRuns = stack.outcomes.filter((o) => o.kind === 'finished').length;
    const handler = createHandler(() => buildTriggerDeps(stack.env, { logger: silentLogger(), s3: stack.s3 }));
    const ctx = { getRemainingTimeInMillis: () => 600_000 };
    const ev = s3Event(stack.bucket, 'manifests/dup/wave.yaml', '0000000000000DUPLICATE');
    const [a, b] = await Promise.all([handler(ev, ctx), handler(ev, ctx)]);
    const c = await handler(ev, ctx);
    const kinds = [a, b, c].map((o) => o[0].kind).sort();
    expect(kinds).toEqual(['duplicate', 'duplicate', 'finished']);
    const stats = stack.emulator.stats();
    expect(
      Object.entries(stats.createsCommitted)
        .filter(([n]) => n.startsWith('dup-'))
        .every(([, n]) => n === 1),
    ).toBe(true);
    expect(Object.keys(stats.createsCommitted).filter((n) => n.startsWith('dup-'))).toHaveLength(25);
    expect(firstRuns).toBeGreaterThan(0);
  });

  it('a run whose report cannot be stored fails, and the retried event finishes it', async () => {
    await upload(stack, 'outside/retry.yaml', bulkManifest(4, { prefix: 'retry' }));
    const deps = buildTriggerDeps(
      { ...stack.env, MANIFEST_PREFIX: 'outside/' },
      { logger: silentLogger(), s3: stack.s3 },
    );
    // The store refuses every report write of the first delivery (each is retried, then the run fails).
    let failing = true;
    const flaky = {
      ...deps,
      persistDelaysMs: [10, 10],
      storeFor: (bucket: string) => {
        const store = deps.storeFor(bucket);
        return {
          ...store,
          put: async (key: string, body: string | Uint8Array, type?: string) => {
            if (failing && key.startsWith('reports/')) throw new Error('storage unavailable');
            return store.put(key, body, type);
          },
        };
      },
    };
    const handler = createHandler(() => flaky);
    const ctx = { getRemainingTimeInMillis: () => 600_000 };
    const ev = s3Event(stack.bucket, 'outside/retry.yaml', '0000000000000RETRY');
    await expect(handler(ev, ctx)).rejects.toThrow(/1 record\(s\) failed/);
    failing = false;
    const again = await handler(ev, ctx);
    expect(again[0].kind).toBe('finished');
    const latest = await getReport(stack, 'reports/retry/latest.json');
    // The run's work was done: the retry took it over from its checkpoint and wrote its report.
    expect(latest.counts).toMatchObject({ total: 4, created: 4 });
  });

  it('a re-upload of identical content is a new run that skips what exists', async () => {
    const key = 'manifests/reup/wave.yaml';
    await upload(stack, key, bulkManifest(10, { prefix: 'reup' }));
    await stack.idle();
    const first = await getReport(stack, 'reports/reup/wave/latest.json');
    await upload(stack, key, bulkManifest(10, { prefix: 'reup' }));
    await stack.idle();
    const second = await getReport(stack, 'reports/reup/wave/latest.json');
    expect(second.run_id).not.toBe(first.run_id);
    expect(first.counts.created).toBe(10);
    expect(second.counts).toMatchObject({ created: 0, existing: 10 });
  });
});

describe('deadline and continuation', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({
      dataDir: await tempDir('fdi-deadline-'),
      logger: silentLogger(),
      env: { FDI_RATE: '40', FDI_TIMEOUT_MS: '1000' },
      invocationTimeoutMs: 2500,
      deadline: { softMarginMs: 1000, hardMarginMs: 200 },
    });
  });
  afterAll(() => stack.close());

  it('a run forced over its deadline continues and finishes with one complete report and no duplicate', async () => {
    await upload(
      stack,
      'manifests/long/wave.yaml',
      bulkManifest(150, { prefix: 'long', instances: ['local-instance', 'local-instance-2'] }),
    );
    await stack.idle();
    const continued = stack.outcomes.filter((o) => o.kind === 'continued');
    expect(continued.length).toBeGreaterThanOrEqual(1);
    const finished = stack.outcomes.filter((o) => o.kind === 'finished');
    expect(finished).toHaveLength(1);
    const stats = stack.emulator.stats();
    expect(stats.tasksStored).toBe(150);
    expect(Object.values(stats.createsCommitted).every((n) => n === 1)).toBe(true);
    const latest = await getReport(stack, 'reports/long/wave/latest.json');
    expect(latest.status).toBe('succeeded');
    expect(latest.counts).toMatchObject({ total: 150, created: 150, not_attempted: 0, failed: 0 });
    expect(new Set(latest.tasks.map((t) => t.name)).size).toBe(150);
    // The timeline spans every invocation: each one's requests and results are in it.
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const t = latest.timeline!;
    expect(sum(t.done)).toBe(150);
    expect(sum(t.accepted) + sum(t.throttled) + sum(t.failed)).toBe(latest.stats.requests);
    expect(t.accepted.length).toBeGreaterThanOrEqual(3);
    // One report folder for the run, whatever the number of invocations.
    const runs = (await listKeys(stack, 'reports/long/wave/')).filter((k) => k.endsWith('/report.json'));
    expect(runs).toHaveLength(1);
  });

  it('on_exists: fail, a continued run is not rejected for the tasks its earlier invocations created', async () => {
    await upload(
      stack,
      'manifests/long/strict.yaml',
      bulkManifest(150, {
        prefix: 'strict',
        instances: ['local-instance', 'local-instance-2'],
        extra: 'options: { on_exists: fail }',
      }),
    );
    await stack.idle();
    const latest = await getReport(stack, 'reports/long/strict/latest.json');
    expect(
      stack.outcomes.filter((o) => o.kind === 'continued' && o.runId === latest.run_id).length,
    ).toBeGreaterThanOrEqual(1);
    expect(latest.status, latest.reason).toBe('succeeded');
    expect(latest.counts).toMatchObject({ total: 150, failed: 0, not_attempted: 0 });
    expect(latest.counts.created + latest.counts.existing).toBe(150);
    const names = Object.keys(stack.emulator.stats().createsCommitted).filter((n) => n.startsWith('strict-'));
    expect(names).toHaveLength(150);
    expect(names.every((n) => stack.emulator.stats().createsCommitted[n] === 1)).toBe(true);
  });
});

describe('deadline and continuation under ambiguous faults', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({
      dataDir: await tempDir('fdi-deadline-faults-'),
      logger: silentLogger(),
      emulator: { faults: { '503': 0.3 }, seed: 1, latencyMs: 20 },
      env: { FDI_RATE: '20', FDI_TIMEOUT_MS: '1000', FDI_MAX_ATTEMPTS: '10' },
      invocationTimeoutMs: 3000,
      deadline: { softMarginMs: 1500, hardMarginMs: 300 },
    });
  });
  afterAll(() => stack.close());

  it('a lookup cut off by the deadline is checked again by the next invocation: the run succeeds', async () => {
    await upload(stack, 'manifests/faulty/wave.yaml', bulkManifest(60, { prefix: 'faulty' }));
    await stack.idle();
    expect(stack.outcomes.filter((o) => o.kind === 'continued').length).toBeGreaterThanOrEqual(2);
    const latest = await getReport(stack, 'reports/faulty/wave/latest.json');
    expect(latest.counts).toMatchObject({ total: 60, failed: 0, not_attempted: 0 });
    expect(latest.status).toBe('succeeded');
    const stats = stack.emulator.stats();
    expect(stats.tasksStored).toBe(60);
    expect(Object.values(stats.createsCommitted).every((n) => n === 1)).toBe(true);
  });
});
