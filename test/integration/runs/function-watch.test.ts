/**
 * `runs <id> s3://bucket --watch` on a function run that is stalled while its next invocation is
 * pending (a continuation written, not yet claimed): the watch goes on until the run ends; without a
 * pending invocation it ends at once with exit 3. The run's state is written by the test (local stack).
 */
import { describe, expect, it } from 'vitest';
import { startCli } from '../../helpers/cli.js';
import { useLocalStack } from '../../helpers/local-stack.js';
import { oneTaskReport } from '../../helpers/report.js';
import { upload } from '../../helpers/stack.js';

const ago = (s: number) => new Date(Date.now() - s * 1000).toISOString();

/** A succeeded nine-task run that started a minute ago. */
const report = (runId: string) =>
  oneTaskReport(runId, ago(60), {
    manifest: { uri: 's3://b/manifests/w.yaml' },
    duration_ms: 60_000,
    finished_at: ago(0),
    counts: { total: 9, created: 9, updated: 0, existing: 0, failed: 0, invalid: 0, not_attempted: 0 },
    stats: { requests: 9, retries: 0, throttled: 0 },
    tasks: [],
  });

describe('runs --watch on a stalled function run', () => {
  const fx = useLocalStack('fdi-runs-fn-watch-', { deliverStoreEvents: false });
  const env = () => ({ ...fx.stack.env, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' });
  const put = (key: string, value: unknown) => upload(fx.stack, key, JSON.stringify(value));
  /** A run whose invocation 1 suspended 10 s ago (its beat is stale by its own threshold, 3 s). */
  const suspended = async (runId: string, dir: string) => {
    await put(`state/${dir}/lock.json`, {
      owner: runId,
      bucket: fx.stack.bucket,
      key: `manifests/${dir}.yaml`,
      upload_id: 'u1',
      started_at: ago(60),
    });
    await put(`state/${dir}/1.claim`, { owner: 'a', claimed_at: ago(60) });
    await put(`state/${dir}/heartbeat.json`, {
      run_id: runId,
      invocation: 1,
      at: ago(10),
      progress: { done: 5, total: 9 },
      stale_after_ms: 3_000,
    });
  };
  const watch = (runId: string) => {
    const cli = startCli(['runs', runId, `s3://${fx.stack.bucket}`, '--watch', '--interval', '1'], {
      env: env(),
      timeoutMs: 60_000,
    });
    let out = '';
    cli.child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
    return { ...cli, out: () => out };
  };
  const until = async (ok: () => boolean, what: string) => {
    const end = Date.now() + 20_000;
    while (!ok()) {
      if (Date.now() > end) throw new Error(`not ${what} within 20 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  it('its continuation pending: watched on until the run ends (exit 0)', async () => {
    const runId = '20261128T203828Z-aaaaaa';
    await suspended(runId, 'pending');
    await put('state/pending/2.continue', { run_id: runId, invocation: 2 });
    const w = watch(runId);
    await until(() => w.out().includes(`${runId} stalled 5/9`), 'stalled');
    // Two more looks: still watching.
    await new Promise((r) => setTimeout(r, 2_500));
    expect(w.child.exitCode).toBeNull();
    // The continuation is delivered: invocation 2 claims and beats, then the run finishes.
    await put('state/pending/2.claim', { owner: 'b', claimed_at: ago(0) });
    await put('state/pending/heartbeat.json', {
      run_id: runId,
      invocation: 2,
      at: ago(0),
      progress: { done: 7, total: 9 },
      stale_after_ms: 600_000,
    });
    await until(() => w.out().includes(`${runId} running 7/9`), 'running again');
    await put(`reports/pending/${runId}/report.json`, report(runId));
    await put('state/pending/finished.json', {
      run_id: runId,
      status: 'succeeded',
      report: `reports/pending/${runId}`,
    });
    const res = await w.done;
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(new RegExp(`${runId} succeeded 9/9`));
  });

  it('nothing pending: the watch ends at once, exit 3', async () => {
    const runId = '20261128T203829Z-bbbbbb';
    await suspended(runId, 'dead');
    const res = await watch(runId).done;
    expect(res.code, res.stderr).toBe(3);
    expect(res.stdout).toContain(`${runId} stalled 5/9`);
  });
});
