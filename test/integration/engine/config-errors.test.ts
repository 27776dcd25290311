/** Configuration mistakes are rejected before anything is sent, with a clear message and exit 2. */
import { describe, expect, it } from 'vitest';
import { bulkManifest, latestLocalReport, runCli, tempDir, writeManifest } from '../../helpers/cli.js';

describe('configuration errors', () => {
  it.each([
    ['no endpoint', { FDI_AUTH_TOKEN: 't' }, [], /no FDI endpoint: set FDI_ENDPOINT/],
    ['no credentials', { FDI_ENDPOINT: 'http://127.0.0.1:1' }, [], /no FDI credentials/],
    [
      'a rate out of bounds',
      { FDI_ENDPOINT: 'http://127.0.0.1:1', FDI_AUTH_TOKEN: 't' },
      ['--rate', '5000'],
      /--rate must be a number between 0.1 and 1000/,
    ],
    [
      'half an AK/SK pair',
      { FDI_ENDPOINT: 'http://127.0.0.1:1', FDI_ACCESS_KEY: 'ak' },
      [],
      /FDI_ACCESS_KEY and FDI_SECRET_KEY must be set together/,
    ],
    [
      'a bad endpoint',
      { FDI_ENDPOINT: 'roma.example.com', FDI_AUTH_TOKEN: 't' },
      [],
      /FDI endpoint must be an http\(s\) URL/,
    ],
  ])('%s → exit 2', async (_name, env, flags, message) => {
    const dir = await tempDir();
    const m = await writeManifest(dir, 'cfg.yaml', bulkManifest(2));
    const res = await runCli(['apply', m, '--report', dir, ...flags], { env });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(message);
    expect(res.stderr).not.toMatch(/\n\s+at /);
  });

  it('every bad setting is reported at once, not only the first (#11.11)', async () => {
    const dir = await tempDir();
    const m = await writeManifest(dir, 'cfg.yaml', bulkManifest(2));
    const flags = ['--concurrency', '100', '--rate', '0', '--timeout-ms', 'abc'];
    const res = await runCli(['apply', m, '--report', dir, ...flags], {
      env: { FDI_ENDPOINT: 'roma.example.com', FDI_AUTH_TOKEN: 't', FDI_MAX_ATTEMPTS: '99' },
    });
    expect(res.code).toBe(2);
    for (const problem of [
      /--concurrency must be an integer between 1 and 64 \(got "100"\)/,
      /--rate must be a number between 0.1 and 1000 \(got "0"\)/,
      /--timeout-ms must be an integer between 100 and 300000 \(got "abc"\)/,
      /FDI_MAX_ATTEMPTS must be an integer between 1 and 20 \(got "99"\)/,
      /FDI endpoint must be an http\(s\) URL/,
    ]) {
      expect(res.stderr).toMatch(problem);
    }
    expect(res.stderr).not.toMatch(/\n\s+at /);
  });

  it('a task without a target instance is a located error; the rejected report is written', async () => {
    const dir = await tempDir();
    const m = await writeManifest(
      dir,
      'notarget.yaml',
      bulkManifest(2)
        .replace('target: { project_id: local-project }', '')
        .replace(/ {4}target: \{ instance_id: local-instance \}\n/, ''),
    );
    const res = await runCli(['apply', m, '--report', dir], {
      env: { FDI_ENDPOINT: 'http://127.0.0.1:1', FDI_AUTH_TOKEN: 't' },
    });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/notarget\.yaml:\d+:\d+: task "bulk-0-0000": no target project_id/);
    const report = await latestLocalReport(dir, m);
    expect(report.status).toBe('rejected');
    expect(report.errors).toHaveLength(2);
  });

  it('FDI_HEAP_GROWING_PERCENT: a whole number is taken quietly; anything else gets a warning and the default, and the command still runs', async () => {
    const dir = await tempDir();
    const m = await writeManifest(dir, 'heap.yaml', bulkManifest(2));
    for (const value of ['0', '100']) {
      const res = await runCli(['validate', m], { env: { FDI_HEAP_GROWING_PERCENT: value } });
      expect(res.code, res.stderr).toBe(0);
      expect(res.stderr).not.toMatch(/warning/);
    }
    const res = await runCli(['validate', m], { env: { FDI_HEAP_GROWING_PERCENT: 'lots' } });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toContain(
      'warning: FDI_HEAP_GROWING_PERCENT="lots" is not a whole number of percent (0–9999); using 50',
    );
  });

  it('a device or a pipe is not read as a manifest', async () => {
    const started = Date.now();
    const res = await runCli(['validate', '/dev/zero'], { timeoutMs: 20_000 });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('/dev/zero is not a regular file');
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
