/**
 * An invocation of the handler killed outright (SIGKILL: what an out-of-memory kill or a crashed runtime
 * does) leaves its run's lock behind. The platform retries the event; the retry must not be swallowed
 * as a duplicate once the run is dead. While the dead run's heartbeat is fresh the retry is a no-op;
 * once it is stale the retry takes the run over from the last checkpoint and finishes it: every task
 * once in FDI, every task once in one report.
 *
 * The killed invocation is a real child process running the compiled handler against the local stack.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { S3Event } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../handlers/manifest-uploaded.js';
import { startLocalStack, type LocalStack } from '../../local/stack.js';
import { silentLogger } from '../../lib/logger.js';
import { buildTriggerDeps } from '../../lib/trigger/deps.js';
import type { UploadOutcome } from '../../lib/trigger/run-upload.js';
import { bulkManifest, cleanEnv, ROOT, tempDir } from '../helpers/cli.js';
import { LAMBDA_CTX, getReport, listKeys, s3Event, upload } from '../helpers/stack.js';
import { expectExactlyOnce, expectReportAccountsForAll } from './helpers.js';
import { bulkNames, collect } from './process.js';

const LIVENESS = { heartbeatMs: 200, staleAfterMs: 2_000 };
const CTX = LAMBDA_CTX;
const N = 300;
const INSTANCES = ['local-instance', 'local-instance-2'];

/** The child: the compiled handler, one event, the test's liveness settings. */
const CHILD = (root: string) => `
import { createHandler } from ${JSON.stringify(path.join(root, 'dist/handlers/manifest-uploaded.js'))};
import { buildTriggerDeps } from ${JSON.stringify(path.join(root, 'dist/lib/trigger/deps.js'))};
const handler = createHandler(() => ({ ...buildTriggerDeps(process.env), liveness: ${JSON.stringify(LIVENESS)} }));
await handler(JSON.parse(process.env.TEST_EVENT), { getRemainingTimeInMillis: () => 600000 });
`;

describe('an invocation killed mid-run (handler, local stack)', () => {
  let stack: LocalStack;
  let script: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    stack = await startLocalStack({ dataDir: await tempDir('fdi-handler-crash-'), logger: silentLogger() });
    script = path.join(await tempDir('fdi-handler-crash-child-'), 'child.mjs');
    await writeFile(script, CHILD(ROOT));
    // Its own prefixes, so the stack's event queue (on manifests/) leaves these uploads to the test.
    env = {
      ...stack.env,
      MANIFEST_PREFIX: 'crash/',
      REPORT_PREFIX: 'crash-reports/',
      STATE_PREFIX: 'crash-state/',
      FDI_RATE: '200',
      FDI_CONCURRENCY: '4',
    };
  });
  afterAll(() => stack.close());

  /** Runs the compiled handler on `event` in a child process and SIGKILLs it once `when()` holds. */
  async function killWhen(
    event: S3Event,
    when: () => boolean,
  ): Promise<{ signal: NodeJS.Signals | null; stderr: string }> {
    const child = spawn(process.execPath, [script], {
      cwd: ROOT,
      env: cleanEnv({
        ...env,
        AWS_ACCESS_KEY_ID: 'S3RVER',
        AWS_SECRET_ACCESS_KEY: 'S3RVER',
        LOG_LEVEL: 'warn',
        TEST_EVENT: JSON.stringify(event),
      }),
    });
    const ended = collect(child, 60_000);
    let finished = false;
    void ended.then(() => (finished = true));
    while (!finished && !when()) await new Promise((r) => setTimeout(r, 5));
    child.kill('SIGKILL');
    return ended;
  }

  const handlerWith = (deadline?: { softMarginMs: number; hardMarginMs: number }) =>
    createHandler(() => ({
      ...buildTriggerDeps(env, { logger: silentLogger(), s3: stack.s3, ...(deadline ? { deadline } : {}) }),
      liveness: LIVENESS,
    }));

  beforeEach(() => stack.emulator.reset());

  // Under on_exists: fail, the tasks the dead invocation created after its checkpoint are found by the
  // takeover's planning; read back, they hold this manifest's definition, so they are not conflicts.
  it.each([
    ['skip', 'bulk', 'hk'],
    ['fail', 'strict', 'hf'],
  ] as const)(
    'on_exists %s: is taken over by the retried event once its heartbeat is stale, from its last checkpoint, without a duplicate',
    async (onExists, name, prefix) => {
      stack.emulator.configure({ faults: {}, latencyMs: 15, jitterMs: 5 });
      await upload(
        stack,
        `crash/${name}.yaml`,
        bulkManifest(N, { prefix, instances: INSTANCES, extra: `options: { on_exists: ${onExists} }` }),
      );
      const event = s3Event(stack.bucket, `crash/${name}.yaml`, '0000A1');

      // 1. The first invocation, killed once more than 100 tasks (one checkpoint) are committed.
      const first = await killWhen(event, () => stack.emulator.stats().tasksStored >= 150);
      expect(first.signal, `the child ended on its own: ${first.stderr}`).toBe('SIGKILL');
      const storedAtKill = stack.emulator.stats().tasksStored;
      expect(storedAtKill).toBeLessThan(N);
      const state = await listKeys(stack, `crash-state/${name}/`);
      expect(state.some((k) => k.endsWith('/checkpoint.json'))).toBe(true);
      expect(state.some((k) => k.endsWith('/finished.json'))).toBe(false);

      // 2. The platform retries at once: the heartbeat is fresh, so it is a duplicate and does nothing.
      const handler = handlerWith();
      const early = await handler(event, CTX);
      expect(early.map((o) => o.kind)).toEqual(['duplicate']);

      // 3. Retried again after the heartbeat went stale: this one takes the run over and finishes it.
      await new Promise((r) => setTimeout(r, LIVENESS.staleAfterMs + 200));
      const late = await handler(event, CTX);
      expect(late.map((o) => o.kind)).toEqual(['finished']);
      const report = (late[0] as Extract<UploadOutcome, { kind: 'finished' }>).report;
      const names = bulkNames(N, prefix, INSTANCES);
      expectExactlyOnce(stack.emulator, names);
      expectReportAccountsForAll(report, names);
      expect(report.status).toBe('succeeded');
      expect(report.counts.failed).toBe(0);
      expect(report.tasks.filter((t) => t.error_code === 'CONFLICT')).toEqual([]);
      // Tasks of the checkpoint keep their status; those created after it are found by name.
      expect(report.counts.created).toBeGreaterThanOrEqual(100);
      expect(report.counts.created + report.counts.existing).toBe(N);
      // The kill came at 150 or more stored, the checkpoint at 100: some were created after it.
      expect(report.counts.existing).toBeGreaterThan(0);
      expect(report.notes?.join('\n')).toMatch(
        /Invocation 1 of this run stopped without finishing \(no heartbeat for \d+ s\); invocation 2 took the run over from its last checkpoint/,
      );
      // The dead invocation's requests up to its checkpoint count too: every task reported created took a create request.
      expect(report.stats.requests).toBeGreaterThanOrEqual(report.counts.created);
      const latest = await getReport(stack, `crash-reports/${name}/latest.json`);
      expect(latest.run_id).toBe(report.run_id);

      // 4. A delivery after the run finished is a duplicate, however late.
      await new Promise((r) => setTimeout(r, LIVENESS.staleAfterMs + 200));
      expect((await handler(event, CTX)).map((o) => o.kind)).toEqual(['duplicate']);
      expect(stack.emulator.stats().tasksStored).toBe(N);
    },
  );

  it('a killed continuation is taken over by the retried continuation event, as the next invocation', async () => {
    stack.emulator.configure({ faults: {}, latencyMs: 30, jitterMs: 5 });
    const n = 500;
    await upload(stack, 'crash/cont.yaml', bulkManifest(n, { prefix: 'hc', instances: INSTANCES }));
    const names = bulkNames(n, 'hc', INSTANCES);

    // 1. Invocation 1 runs out of time (2 s of dispatching) and leaves a checkpoint and a continuation object.
    const short = handlerWith({ softMarginMs: 1_000, hardMarginMs: 200 });
    const [first] = await short(s3Event(stack.bucket, 'crash/cont.yaml', '0000B1'), {
      getRemainingTimeInMillis: () => 3_000,
    });
    expect(first.kind).toBe('continued');
    const continuationKey = (first as Extract<UploadOutcome, { kind: 'continued' }>).continuationKey;
    const storedAfterFirst = stack.emulator.stats().tasksStored;
    expect(storedAfterFirst).toBeGreaterThan(0);
    expect(storedAfterFirst).toBeLessThan(n - 60);

    // 2. Invocation 2 (the continuation) is killed mid-run.
    const continuation = s3Event(stack.bucket, continuationKey, '0000B2');
    const killed = await killWhen(continuation, () => stack.emulator.stats().tasksStored >= storedAfterFirst + 50);
    expect(killed.signal, `the child ended on its own: ${killed.stderr}`).toBe('SIGKILL');

    // 3. The continuation event again: a duplicate while the heartbeat is fresh, a takeover once stale.
    const handler = handlerWith();
    expect((await handler(continuation, CTX)).map((o) => o.kind)).toEqual(['duplicate']);
    await new Promise((r) => setTimeout(r, LIVENESS.staleAfterMs + 200));
    const late = await handler(continuation, CTX);
    expect(late.map((o) => o.kind)).toEqual(['finished']);
    const report = (late[0] as Extract<UploadOutcome, { kind: 'finished' }>).report;
    expectExactlyOnce(stack.emulator, names);
    expectReportAccountsForAll(report, names);
    expect(report.status).toBe('succeeded');
    expect(report.counts.created).toBeGreaterThanOrEqual(storedAfterFirst);
    expect(report.counts.created + report.counts.existing).toBe(n);
    expect(report.notes?.join('\n')).toMatch(
      /Invocation 2 of this run stopped without finishing \(no heartbeat for \d+ s\); invocation 3 took the run over from its last checkpoint/,
    );
    // The takeover and the continuation claim the same invocation number: a late delivery of either is a duplicate.
    expect((await handler(continuation, CTX)).map((o) => o.kind)).toEqual(['duplicate']);
    expect(stack.emulator.stats().tasksStored).toBe(n);
  });

  describe('the state a dead run leaves, written as it would be', () => {
    const old = () => new Date(Date.now() - 10 * LIVENESS.staleAfterMs).toISOString();
    /** A run of `crash/<name>.yaml` (sequencer `seq`) whose lock is old and holds no heartbeat; `claims` are `<n>.claim` objects. */
    async function deadRun(name: string, seq: string, claims: Record<number, string>): Promise<S3Event> {
      await upload(stack, `crash/${name}.yaml`, bulkManifest(6, { prefix: name }));
      const dir = `crash-state/${name}/s-${seq}`;
      await upload(
        stack,
        `${dir}/lock.json`,
        JSON.stringify({
          owner: `run-${name}`,
          bucket: stack.bucket,
          key: `crash/${name}.yaml`,
          upload_id: `s-${seq}`,
          started_at: old(),
        }),
      );
      for (const [n, at] of Object.entries(claims))
        await upload(stack, `${dir}/${n}.claim`, JSON.stringify({ owner: 'someone', claimed_at: at }));
      return s3Event(stack.bucket, `crash/${name}.yaml`, seq);
    }

    it('steps over an invocation number claimed long ago whose holder never beat, and finishes the run from the start', async () => {
      const event = await deadRun('silent', '00000C1', { 2: old() });
      const [out] = await handlerWith()(event, CTX);
      expect(out.kind).toBe('finished');
      const report = (out as Extract<UploadOutcome, { kind: 'finished' }>).report;
      expect(report.run_id).toBe('run-silent');
      expectExactlyOnce(stack.emulator, bulkNames(6, 'silent'));
      expect(report.notes?.join('\n')).toMatch(
        /Invocation 2 of this run stopped without finishing .*; invocation 3 took the run over from the start/,
      );
    });

    it('leaves alone an invocation number claimed moments ago (its holder may be starting): a duplicate, nothing sent', async () => {
      const event = await deadRun('starting', '00000C2', { 2: new Date().toISOString() });
      const before = stack.emulator.stats().requestsTotal;
      expect((await handlerWith()(event, CTX)).map((o) => o.kind)).toEqual(['duplicate']);
      expect(stack.emulator.stats().requestsTotal).toBe(before);
    });
  });
});
