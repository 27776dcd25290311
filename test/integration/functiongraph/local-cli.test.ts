/**
 * `fdi-provision local --platform functiongraph` through the built CLI: an upload through the S3 API
 * reaches the FunctionGraph handler as an OBS event, the report lands at the usual key, and the
 * stack's temporary credentials appear in none of its output.
 */
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { createS3Client } from '../../../lib/storage/s3-store.js';
import { bulkManifest, startCli, tempDir } from '../../helpers/cli.js';
import { untilOrEnded } from '../../helpers/emulator.js';

async function until<T>(what: () => Promise<T | undefined>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await what();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('fdi-provision local --platform functiongraph', () => {
  it('runs an upload through the FunctionGraph handler and prints no credential', async () => {
    const dir = await tempDir('fdi-local-fg-');
    const { child, done } = startCli(
      ['local', '--platform', 'functiongraph', '--s3-port', '0', '--emulator-port', '0', '--data-dir', dir],
      { timeoutMs: 60_000, env: { LOG_LEVEL: 'debug' } },
    );
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await untilOrEnded(() => out.includes('Press Ctrl-C'), done, 'the stack was up');
    expect(out).toContain('handler:              FunctionGraph (handlers/functiongraph.handler)');
    const endpoint = /S3-compatible server: (\S+)/.exec(out)![1];
    const s3 = createS3Client(
      { endpoint, forcePathStyle: true, region: 'us-east-1' },
      { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    );
    try {
      const key = 'manifests/cli fg/wave+1.yaml';
      await s3.send(
        new PutObjectCommand({ Bucket: 'fdi-provisioner', Key: key, Body: bulkManifest(3, { prefix: 'clifg' }) }),
      );
      const report = await until(async () => {
        const res = await s3
          .send(new GetObjectCommand({ Bucket: 'fdi-provisioner', Key: 'reports/cli fg/wave+1/latest.json' }))
          .catch(() => undefined);
        return res?.Body ? (JSON.parse(await res.Body.transformToString()) as { status: string }) : undefined;
      }, 30_000);
      expect(report.status).toBe('succeeded');
    } finally {
      s3.destroy();
      child.kill('SIGINT');
    }
    const res = await done;
    expect(res.code).toBe(0);
    // The local stack's temporary credentials: access keys start LOCALTEMP, security tokens gQpzLXRva2Vu.
    expect(res.stdout + res.stderr).not.toMatch(/LOCALTEMP[0-9A-F]{4}|gQpzLXRva2Vu/);
    expect(res.stderr).toMatch(/"level":20/);
  }, 90_000);
});
