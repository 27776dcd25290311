/**
 * `fdi-provision runs` on what is not a store of runs: a malformed record among good ones, a folder
 * that cannot be read, a malformed s3:// address. Through the compiled CLI, without a bucket.
 */
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, startCli, tempDir } from '../../helpers/cli.js';
import { oneTaskReport } from '../../helpers/report.js';

const GOOD = '20261128T203828Z-1a2b3c';
const BAD = '20261128T203829Z-4d5e6f';

const report = (runId: string) => oneTaskReport(runId, '2026-11-28T20:38:28.000Z');

async function put(dir: string, rel: string, value: unknown) {
  await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
  await writeFile(path.join(dir, rel), typeof value === 'string' ? value : JSON.stringify(value));
}

describe('runs on a store with something malformed', () => {
  it('a report.json without a report shape is skipped; the other runs are listed (exit 0)', async () => {
    const dir = await tempDir('fdi-runs-malformed-');
    await put(dir, `reports/w/${GOOD}/report.json`, report(GOOD));
    await put(dir, `reports/w/${BAD}/report.json`, {});
    const res = await runCli(['runs', '--json'], { cwd: dir });
    expect(res.code, res.stderr).toBe(0);
    expect((JSON.parse(res.stdout) as { runs: Array<{ run_id: string }> }).runs.map((r) => r.run_id)).toEqual([GOOD]);
    const text = await runCli(['runs'], { cwd: dir });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(GOOD);
  });

  it('a local folder that cannot be read: exit 2, with no S3 hint', async () => {
    const dir = await tempDir('fdi-runs-unreadable-');
    // A report.json that is a link to a folder: listed as a file, its read fails (EISDIR).
    await mkdir(path.join(dir, 'reports', 'w', GOOD), { recursive: true });
    await symlink(dir, path.join(dir, 'reports', 'w', GOOD, 'report.json'));
    const res = await runCli(['runs'], { cwd: dir });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('cannot read the runs in reports');
    expect(res.stderr).not.toMatch(/S3_ENDPOINT|AWS/);
  });
});

describe('runs on a malformed s3:// address', () => {
  it.each(['s3://', 's3:///x', 'S3://b', 's3:b'])('%s: exit 2, naming s3://bucket[/prefix]', async (where) => {
    const dir = await tempDir('fdi-runs-s3-');
    const res = await runCli(['runs', where], { cwd: dir });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('s3://bucket[/prefix]');
    expect(res.stdout).toBe('');
  });
});

describe('runs <id> --watch interrupted', () => {
  it('SIGINT while the run is still running: exit 130', async () => {
    const dir = await tempDir('fdi-runs-sigint-');
    const now = new Date().toISOString();
    // A live record that stays fresh for the test: its writer's threshold is 10 minutes.
    await put(dir, `reports/w/${GOOD}.live.json`, {
      run_id: GOOD,
      manifest: 'w.yaml',
      operation: 'apply',
      started_at: now,
      at: now,
      pid: 1,
      stale_after_ms: 600_000,
    });
    const { child, done } = startCli(['runs', GOOD, '--watch', '--interval', '1'], { cwd: dir });
    let out = '';
    child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
    const end = Date.now() + 10_000;
    while (!out.includes('running') && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(out).toContain(`${GOOD} running`);
    child.kill('SIGINT');
    const res = await done;
    expect(res.code, res.stderr).toBe(130);
  });
});
