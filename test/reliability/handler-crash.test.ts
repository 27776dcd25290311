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
import { startLocalStack, type LocalStack } from '../../lib/local/stack.js';
import { silentLogger } from '../../lib/logger.js';
import type { Report } from '../../lib/report/types.js';
import { buildTriggerDeps } from '../../lib/trigger/deps.js';
import type { UploadOutcome } from '../../lib/trigger/run-upload.js';
import { bulkManifest, cleanEnv, ROOT, tempDir } from '../helpers/cli.js';
import { getText, listKeys, s3Event, upload } from '../helpers/stack.js';
import { expectExactlyOnce, expectReportAccountsForAll } from './helpers.js';
import { bulkNames, collect } from './process.js';

const LIVENESS = { heartbeatMs: 200, staleAfterMs: 2_000 };
const CTX = { getRemainingTimeInMillis: () => 600_000 };
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
  let dir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    dir = await tempDir('fdi-handler-crash-');
    stack = await startLocalStack({ dataDir: dir, logger: silentLogger() });
    // Its own prefixes, so the stack's event queue (on manifests/) leaves these uploads to the test.
    env = { ...stack.env, MANIFEST_PREFIX: 'crash/', REPORT_PREFIX: 'crash-reports/', STATE_PREFIX: 'crash-state/', FDI_RATE: '200', FDI_CONCURRENCY: '4' };
  });
  afterAll(() => stack.close());

  /** Runs the compiled handler on `event` in a child process and SIGKILLs it once `when()` holds. */
  async function killWhen(event: S3Event, when: () => boolean): Promise<{ signal: NodeJS.Signals | null; stderr: string }> {
    const script = path.join(dir, 'child.mjs');
    await writeFile(script, CHILD(ROOT));
    const child = spawn(process.execPath, [script], { cwd: ROOT, env: cleanEnv({ ...env, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', LOG_LEVEL: 'warn', TEST_EVENT: JSON.stringify(event) }) });
    const ended = collect(child, 60_000);
    let finished = false;
    void ended.then(() => (finished = true));
    while (!finished && !when()) await new Promise((r) => setTimeout(r, 5));
    child.kill('SIGKILL');
    return ended;
  }

  const handlerWith = (deadline?: { softMarginMs: number; hardMarginMs: number }) =>
    createHandler(() => ({ ...buildTriggerDeps(env, { logger: silentLogger(), s3: stack.s3, ...(deadline ? { deadline } : {}) }), liveness: LIVENESS }));

  beforeEach(() => stack.emulator.reset());

  it('is taken over by the retried event once its heartbeat is stale, from its last checkpoint, without a duplicate', async () => {
    stack.emulator.configure({ faults: {}, latencyMs: 15, jitterMs: 5 });
    await upload(stack, 'crash/bulk.yaml', bulkManifest(N, { prefix: 'hk', instances: INSTANCES }));
    const event = s3Event(stack.bucket, 'crash/bulk.yaml', '0000A1');

    // 1. The first invocation, killed once more than 100 tasks (one checkpoint) are committed.
    const first = await killWhen(event, () => stack.emulator.stats().tasksStored >= 150);
    expect(first.signal, `the child ended on its own: ${first.stderr}`).toBe('SIGKILL');
    const storedAtKill = stack.emulator.stats().tasksStored;
    expect(storedAtKill).toBeLessThan(N);
    const state = await listKeys(stack, 'crash-state/');
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
    const names = bulkNames(N, 'hk', INSTANCES);
    expectExactlyOnce(stack.emulator, names);
    expectReportAccountsForAll(report, names);
    expect(report.status).toBe('succeeded');
    expect(report.counts.failed).toBe(0);
    // Tasks of the checkpoint keep their status; those created after it are found by name.
    expect(report.counts.created).toBeGreaterThanOrEqual(100);
    expect(report.counts.created + report.counts.existing).toBe(N);
    // The kill came at 150 or more stored, the checkpoint at 100: some were created after it.
    expect(report.counts.existing).toBeGreaterThan(0);
    expect(report.notes?.join('\n')).toMatch(/Invocation 1 of this run stopped without finishing \(no heartbeat for \d+ s\); invocation 2 took the run over from its last checkpoint/);
    // The dead invocation's requests up to its checkpoint count too: every task reported created took a create request.
    expect(report.stats.requests).toBeGreaterThanOrEqual(report.counts.created);
    const latest = JSON.parse((await getText(stack, 'crash-reports/bulk/latest.json'))!) as Report;
    expect(latest.run_id).toBe(report.run_id);

    // 4. A delivery after the run finished is a duplicate, however late.
    await new Promise((r) => setTimeout(r, LIVENESS.staleAfterMs + 200));
    expect((await handler(event, CTX)).map((o) => o.kind)).toEqual(['duplicate']);
    expect(stack.emulator.stats().tasksStored).toBe(N);
  });

  it('a killed continuation is taken over by the retried continuation event, as the next invocation', async () => {
    stack.emulator.configure({ faults: {}, latencyMs: 30, jitterMs: 5 });
    const n = 500;
    await upload(stack, 'crash/cont.yaml', bulkManifest(n, { prefix: 'hc', instances: INSTANCES }));
    const names = bulkNames(n, 'hc', INSTANCES);

    // 1. Invocation 1 runs out of time (2 s of dispatching) and leaves a checkpoint and a continuation object.
    const short = handlerWith({ softMarginMs: 1_000, hardMarginMs: 200 });
    const [first] = await short(s3Event(stack.bucket, 'crash/cont.yaml', '0000B1'), { getRemainingTimeInMillis: () => 3_000 });
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
    expect(report.notes?.join('\n')).toMatch(/Invocation 2 of this run stopped without finishing \(no heartbeat for \d+ s\); invocation 3 took the run over from its last checkpoint/);
    // The takeover and the continuation claim the same invocation number: a late delivery of either is a duplicate.
    expect((await handler(continuation, CTX)).map((o) => o.kind)).toEqual(['duplicate']);
    expect(stack.emulator.stats().tasksStored).toBe(n);
  });
});
