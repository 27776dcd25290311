/** The CLI with s3:// manifests and `--report s3://…`, against the embedded S3-compatible server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../../local/stack.js';
import { silentLogger } from '../../../lib/logger.js';
import { bulkManifest, runCli, tempDir } from '../../helpers/cli.js';
import { getReport, listKeys, upload } from '../../helpers/stack.js';

describe('CLI with s3:// manifests and reports', () => {
  let stack: LocalStack;
  let env: Record<string, string>;
  beforeAll(async () => {
    stack = await startLocalStack({ dataDir: await tempDir('fdi-s3cli-'), logger: silentLogger() });
    // Outside the manifest prefix, so the stack's trigger leaves these uploads to the CLI.
    await upload(stack, 'inbox/wave.yaml', bulkManifest(7, { prefix: 's3cli' }));
    env = { ...stack.env, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };
  });
  afterAll(() => stack.close());

  it('validate and render read s3:// manifests', async () => {
    const v = await runCli(['validate', `s3://${stack.bucket}/inbox/wave.yaml`], { env });
    expect(v.code).toBe(0);
    expect(v.stdout).toContain('ok: 7 tasks');
    const r = await runCli(['render', `s3://${stack.bucket}/inbox/wave.yaml`], { env });
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(7);
  });

  it('apply of an s3:// manifest writes its report in the storage layout by default', async () => {
    const res = await runCli(['apply', `s3://${stack.bucket}/inbox/wave.yaml`], {
      env: { ...env, MANIFEST_PREFIX: 'inbox/' },
    });
    expect(res.code).toBe(0);
    const latest = await getReport(stack, 'reports/wave/latest.json');
    expect(latest.counts.created).toBe(7);
    expect(await listKeys(stack, `reports/wave/${latest.run_id}/`)).toHaveLength(5);
  });

  it('--report s3://bucket/prefix sends a local run report to the bucket', async () => {
    const dir = await tempDir();
    const file = `${dir}/local-wave.yaml`;
    await (await import('node:fs/promises')).writeFile(file, bulkManifest(3, { prefix: 'localwave' }));
    // Run from the manifest's folder: its report folder is its path from there (#11.5).
    const res = await runCli(['apply', 'local-wave.yaml', '--report', `s3://${stack.bucket}/custom/`], {
      env,
      cwd: dir,
    });
    expect(res.code).toBe(0);
    expect(res.stderr).toContain(`report: s3://${stack.bucket}/custom/local-wave/`);
    const latest = await getReport(stack, 'custom/local-wave/latest.json');
    expect(latest.counts.created).toBe(3);
  });

  it('an unreachable store or a missing object is a clear error, exit 2', async () => {
    const missing = await runCli(['validate', `s3://${stack.bucket}/inbox/none.yaml`], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('does not exist');
    const down = await runCli(['validate', 's3://b/k.yaml'], {
      env: { ...env, S3_ENDPOINT: 'http://127.0.0.1:1', AWS_MAX_ATTEMPTS: '1' },
    });
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(/cannot read the manifest s3:\/\/b\/k.yaml/);
    expect(down.stderr).not.toMatch(/\n\s+at /);
  });
});
