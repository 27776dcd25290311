/**
 * `fdi-provision runs` over the command line's own report folder (./reports by default): a finished run,
 * a rejected one, one in progress (a slow emulator) with its progress, and one killed mid-run (SIGKILL)
 * that shows as stalled once its live record is older than FDI_STALE_AFTER_MS. All through the compiled CLI.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bulkManifest, runCli, startCli, writeManifest } from '../../helpers/cli.js';
import { useEmulator } from '../../helpers/emulator.js';
import { expectStalled, FAST_LIVENESS, runDetail, runsPage, SUMMARY_FIELDS, untilRun } from './helpers.js';

const N = 20;

describe('runs over a local report folder (command-line runs)', () => {
  const fx = useEmulator('fdi-runs-cli-', {}, { FDI_PROJECT_ID: 'local-project', ...FAST_LIVENESS });
  const opts = () => ({ env: fx.env, cwd: fx.dir, timeoutMs: 60_000 });
  const ids: Record<string, string> = {};

  it('a finished run and a rejected one, each in its state, from ./reports by default', async () => {
    fx.emu.configure({ latencyMs: 0 });
    await writeManifest(fx.dir, 'done.yaml', bulkManifest(3, { prefix: 'runs-done' }));
    expect((await runCli(['apply', 'done.yaml'], opts())).code).toBe(0);
    await writeManifest(fx.dir, 'bad.yaml', 'version: 1\ntasks:\n  - name: x\n    task_type: NOPE\n');
    expect((await runCli(['apply', 'bad.yaml'], opts())).code).toBe(2);

    const page = await runsPage([], opts());
    expect(page).toMatchObject({ location: 'reports', total: 2, offset: 0, limit: 20 });
    const [rejected, done] = page.runs;
    expect(rejected).toMatchObject({ manifest: 'bad.yaml', state: 'rejected', operation: 'apply', source: 'report' });
    expect(done).toMatchObject({ manifest: 'done.yaml', state: 'succeeded', progress: { done: 3, total: 3 } });
    expect(done.counts).toMatchObject({ total: 3, created: 3 });
    expect(done.report).toBe(path.join(fx.dir, 'reports', 'done', done.run_id) + path.sep);
    for (const r of page.runs) expect(Object.keys(r).sort()).toEqual(SUMMARY_FIELDS);
    ids.done = done.run_id;
    ids.rejected = rejected.run_id;
  });

  it('a run in progress is running with its progress; --watch on a pipe prints its progress and ends with it', async () => {
    fx.emu.configure({ latencyMs: 250 });
    await writeManifest(fx.dir, 'slow.yaml', bulkManifest(N, { prefix: 'runs-slow' }));
    const apply = startCli(['apply', 'slow.yaml', '--concurrency', '1'], opts());
    const running = await untilRun(
      [],
      opts(),
      (r) => r.state === 'running' && (r.progress?.done ?? 0) > 0,
      'running with some progress',
    );
    expect(running).toMatchObject({ manifest: 'slow.yaml', source: 'cli', finished_at: null, report: null });
    expect(running.progress!.total).toBe(N);
    expect(running.progress!.done).toBeLessThan(N);
    // Beside the report folder, never in it: the folder holds a whole report or nothing.
    expect(await readdir(path.join(fx.dir, 'reports', 'slow'))).toEqual([`${running.run_id}.live.json`]);

    const watch = await runCli(['runs', running.run_id, '--watch', '--interval', '1'], opts());
    expect(watch.code, watch.stderr).toBe(0);
    const lines = watch.stdout.trim().split('\n');
    expect(lines[0]).toMatch(new RegExp(`Z ${running.run_id} running \\d+/${N}$`));
    expect(lines[lines.length - 1]).toMatch(new RegExp(`Z ${running.run_id} succeeded ${N}/${N}  ${N} created$`));
    expect(new Set(lines).size).toBe(lines.length);
    expect((await apply.done).code).toBe(0);

    const detail = await runDetail([running.run_id], opts());
    expect(detail).toMatchObject({
      state: 'succeeded',
      progress: { done: N, total: N },
      source: 'report',
      top_errors: [],
    });
    expect(detail.requested_by).toMatchObject({ via: 'cli' });
    expect(await readdir(path.join(fx.dir, 'reports', 'slow'))).not.toContain(`${running.run_id}.live.json`);
    ids.slow = running.run_id;
  });

  it('a run killed mid-run is stalled once its live record is older than FDI_STALE_AFTER_MS, with its last progress', async () => {
    fx.emu.configure({ latencyMs: 250 });
    await writeManifest(fx.dir, 'killed.yaml', bulkManifest(N, { prefix: 'runs-killed' }));
    const apply = startCli(['apply', 'killed.yaml', '--concurrency', '1'], opts());
    const seen = await untilRun(
      [],
      opts(),
      (r) => r.manifest === 'killed.yaml' && (r.progress?.done ?? 0) >= 2,
      'running with 2 done',
    );
    apply.child.kill('SIGKILL');
    expect((await apply.done).code).toBeNull();
    const stalled = await untilRun(
      [],
      opts(),
      (r) => r.run_id === seen.run_id && r.state === 'stalled',
      'stalled',
      15_000,
    );
    expectStalled(stalled, seen, N, 'cli');
    // Its duration stops at its last beat.
    expect(Date.parse(stalled.started_at) + stalled.duration_ms).toBe(Date.parse(stalled.heartbeat_at!));
    // --watch of a stalled run ends at once, with the code of an aborted run.
    const watch = await runCli(['runs', seen.run_id, '--watch'], opts());
    expect(watch.code).toBe(3);
    expect(watch.stdout).toMatch(/ stalled \d+\/20/);
    ids.killed = seen.run_id;
  });

  it('the list is newest first, paged; the table and one run in detail for a person', async () => {
    const page = await runsPage([], opts());
    expect(page.runs.map((r) => [r.run_id, r.state])).toEqual([
      [ids.killed, 'stalled'],
      [ids.slow, 'succeeded'],
      [ids.rejected, 'rejected'],
      [ids.done, 'succeeded'],
    ]);
    const second = await runsPage(['--limit', '2', '--offset', '1'], opts());
    expect(second).toMatchObject({ total: 4, offset: 1, limit: 2 });
    // Run ids order runs to the second (the rejected and the slow run may share one): compare as sets.
    expect(second.runs.map((r) => r.run_id).sort()).toEqual([ids.slow, ids.rejected].sort());

    const table = await runCli(['runs', 'reports', '--limit', '3'], opts());
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^RUN ID\s+STATE\s+PROGRESS\s+STARTED\s+DURATION\s+OPERATION\s+MANIFEST\s+COUNTS\n/);
    expect(table.stdout).toContain('1–3 of 4 run(s) in reports, newest first; --offset 3 for older ones');

    const rejected = await runCli(['runs', ids.rejected], opts());
    expect(rejected.stdout).toContain(`run ${ids.rejected}: rejected`);
    expect(rejected.stdout).toMatch(/manifest errors:\n {2}line \d+: /);
    const unknown = await runCli(['runs', '20000101T000000Z-000000'], opts());
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no run 20000101T000000Z-000000 in reports');
  });

  it("a partial run's detail: counts, top errors, where its report is, who ran it", async () => {
    fx.emu.reset();
    // The instance takes one task only: two of the three creates fail (no retries).
    fx.emu.configure({ latencyMs: 0, maxTasks: 1 });
    await writeManifest(
      fx.dir,
      'partial.yaml',
      bulkManifest(3, { prefix: 'runs-partial', extra: 'options: { max_attempts: 1 }' }),
    );
    expect((await runCli(['apply', 'partial.yaml'], opts())).code).toBe(1);
    fx.emu.configure({ maxTasks: 1000 });
    const [latest] = (await runsPage(['--limit', '1'], opts())).runs;
    expect(latest).toMatchObject({ manifest: 'partial.yaml', state: 'partial', counts: { created: 1, failed: 2 } });

    const detail = await runDetail([latest.run_id], opts());
    expect(detail.top_errors).toHaveLength(1);
    expect(detail.top_errors[0]).toMatchObject({ tasks: 2 });
    expect(detail.report).toBe(path.join(fx.dir, 'reports', 'partial', latest.run_id) + path.sep);
    expect(detail.requested_by).toMatchObject({ via: 'cli' });
    expect(Object.keys(detail).sort()).toEqual(
      [
        ...SUMMARY_FIELDS,
        'reason',
        'notes',
        'requested_by',
        'top_errors',
        'errors',
        'invocation',
        'pending_invocation',
      ].sort(),
    );
    const text = await runCli(['runs', latest.run_id, 'reports'], opts());
    expect(text.stdout).toContain(`run ${latest.run_id}: partial`);
    expect(text.stdout).toContain('counts:     1 created, 2 failed (of 3)');
    expect(text.stdout).toContain(`top errors:\n  ${detail.top_errors[0].code}  2 task(s)  `);
    expect(text.stdout).toContain(`report:     ${detail.report}`);
    expect(text.stdout).toMatch(/requested by: cli \S+@\S+/);
  });
});
