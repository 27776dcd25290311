/**
 * `fdi-provision runs s3://bucket` over the function's layout on the local stack (s3rver + emulator +
 * the Lambda handler): a finished run, a rejected one, one in progress (a slow emulator) with the
 * progress its heartbeat carries, and one whose invocation was killed (a child process running the
 * compiled handler, SIGKILLed mid-run): stalled once its heartbeat is older than FDI_STALE_AFTER_MS.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bulkManifest, cleanEnv, ROOT, runCli, tempDir } from '../../helpers/cli.js';
import { useLocalStack } from '../../helpers/local-stack.js';
import { s3Event, upload } from '../../helpers/stack.js';
import { collect } from '../../reliability/process.js';
import { expectStalled, FAST_LIVENESS, runDetail, runsPage, SUMMARY_FIELDS, untilRun } from './helpers.js';

const N = 20;

/** The child: the compiled Lambda handler on one event, configured from its environment. */
const CHILD = (root: string) => `
import { createHandler } from ${JSON.stringify(path.join(root, 'dist/handlers/manifest-uploaded.js'))};
import { buildTriggerDeps } from ${JSON.stringify(path.join(root, 'dist/lib/trigger/deps.js'))};
const handler = createHandler(() => buildTriggerDeps(process.env));
await handler(JSON.parse(process.env.TEST_EVENT), { getRemainingTimeInMillis: () => 600000 });
`;

describe('runs over the bucket the function serves (local stack)', () => {
  // Events are delivered by the test, so that one upload can go to a handler it kills instead.
  const fx = useLocalStack('fdi-runs-fn-', {
    env: { ...FAST_LIVENESS, FDI_CONCURRENCY: '1' },
    deliverStoreEvents: false,
  });
  let env: Record<string, string>;
  let where: string;
  const opts = () => ({ env, timeoutMs: 60_000 });
  const ids: Record<string, string> = {};
  let seq = 0;
  const run = async (name: string, body: string) => {
    await upload(fx.stack, `manifests/${name}.yaml`, body);
    fx.stack.deliver(s3Event(fx.stack.bucket, `manifests/${name}.yaml`, `seq-${++seq}`));
  };
  beforeAll(() => {
    env = { ...fx.stack.env, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', ...FAST_LIVENESS };
    where = `s3://${fx.stack.bucket}`;
  });

  it('a finished run and a rejected one, each in its state', async () => {
    await run('done', bulkManifest(3, { prefix: 'fn-done' }));
    await fx.stack.idle();
    await run('bad', 'version: 1\ntasks:\n  - name: x\n    task_type: NOPE\n');
    await fx.stack.idle();
    const page = await runsPage([where], opts());
    expect(page).toMatchObject({ location: where, total: 2 });
    const [rejected, done] = page.runs;
    expect(rejected).toMatchObject({ manifest: `${where}/manifests/bad.yaml`, state: 'rejected', source: 'report' });
    expect(done).toMatchObject({ state: 'succeeded', progress: { done: 3, total: 3 }, counts: { created: 3 } });
    expect(done.report).toBe(`${where}/reports/done/${done.run_id}/`);
    for (const r of page.runs) expect(Object.keys(r).sort()).toEqual(SUMMARY_FIELDS);
    ids.done = done.run_id;
    ids.rejected = rejected.run_id;
  });

  it("a run in progress is running with its heartbeat's progress; --watch ends with it", async () => {
    fx.stack.emulator.configure({ latencyMs: 250 });
    await run('slow', bulkManifest(N, { prefix: 'fn-slow' }));
    const running = await untilRun(
      [where],
      opts(),
      (r) => r.state === 'running' && (r.progress?.done ?? 0) > 0,
      'running with some progress',
    );
    expect(running).toMatchObject({ manifest: `${where}/manifests/slow.yaml`, source: 'function', report: null });
    expect(running.progress!.total).toBe(N);
    expect(running.progress!.done).toBeLessThan(N);
    expect(running.heartbeat_at).not.toBeNull();
    const live = await runDetail([running.run_id, where], opts());
    expect(live).toMatchObject({ state: 'running', invocation: 1, requested_by: { via: 's3-event' } });

    const watch = await runCli(['runs', running.run_id, where, '--watch', '--interval', '1'], opts());
    expect(watch.code, watch.stderr).toBe(0);
    const lines = watch.stdout.trim().split('\n');
    expect(lines[0]).toMatch(new RegExp(`Z ${running.run_id} running \\d+/${N}$`));
    expect(lines[lines.length - 1]).toMatch(new RegExp(`Z ${running.run_id} succeeded ${N}/${N}  ${N} created$`));
    await fx.stack.idle();
    const detail = await runDetail([running.run_id, where], opts());
    expect(detail).toMatchObject({
      state: 'succeeded',
      source: 'report',
      report: `${where}/reports/slow/${running.run_id}/`,
    });
    ids.slow = running.run_id;
  });

  it('a run whose invocation was killed is stalled once its heartbeat is older than FDI_STALE_AFTER_MS', async () => {
    fx.stack.emulator.configure({ latencyMs: 250 });
    const key = 'manifests/killed.yaml';
    await upload(fx.stack, key, bulkManifest(N, { prefix: 'fn-killed' }));
    const script = path.join(await tempDir('fdi-runs-child-'), 'child.mjs');
    await writeFile(script, CHILD(ROOT));
    const child = spawn(process.execPath, [script], {
      cwd: ROOT,
      env: cleanEnv({
        ...env,
        LOG_LEVEL: 'warn',
        TEST_EVENT: JSON.stringify(s3Event(fx.stack.bucket, key, 'seq-killed')),
      }),
    });
    const ended = collect(child, 60_000);
    const seen = await untilRun(
      [where],
      opts(),
      (r) => r.manifest.endsWith('/killed.yaml') && r.state === 'running' && (r.progress?.done ?? 0) >= 2,
      'running with 2 done',
    );
    child.kill('SIGKILL');
    expect((await ended).signal, (await ended).stderr).toBe('SIGKILL');
    const stalled = await untilRun(
      [where],
      opts(),
      (r) => r.run_id === seen.run_id && r.state === 'stalled',
      'stalled',
      15_000,
    );
    expectStalled(stalled, seen, N, 'function');
    ids.killed = seen.run_id;
  });

  it('the list is newest first and paged; REPORT_PREFIX and STATE_PREFIX are honoured', async () => {
    const page = await runsPage([where], opts());
    expect(page.runs.map((r) => [r.run_id, r.state])).toEqual([
      [ids.killed, 'stalled'],
      [ids.slow, 'succeeded'],
      [ids.rejected, 'rejected'],
      [ids.done, 'succeeded'],
    ]);
    expect((await runsPage([where, '--limit', '1'], opts())).runs.map((r) => r.run_id)).toEqual([ids.killed]);
    // Other prefixes: nothing of this layout is found there.
    const elsewhere = await runsPage([where], {
      ...opts(),
      env: { ...env, REPORT_PREFIX: 'r2/', STATE_PREFIX: 's2/' },
    });
    expect(elsewhere.total).toBe(0);
    // The report prefix named explicitly is the same layout.
    expect((await runsPage([`${where}/reports/`], opts())).total).toBe(4);
  });
});
