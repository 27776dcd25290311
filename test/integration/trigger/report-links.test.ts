/**
 * Where report.html can be opened, as the local stack prints it: `fdi-provision local` prints a
 * loopback URL of each finished run's report.html that a browser can open (s3rver serves it without
 * credentials, as text/html), and `npm run demo` ends by listing each run's report.html, in the bucket
 * and as a file copy.
 */
import { readFile } from 'node:fs/promises';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { createS3Client } from '../../../lib/storage/s3-store.js';
import { bulkManifest, runCli, startCli, tempDir } from '../../helpers/cli.js';
import { untilOrEnded } from '../../helpers/emulator.js';

describe('links to report.html', () => {
  it('fdi-provision local prints a link that opens each finished run’s report.html', async () => {
    const dir = await tempDir('fdi-local-links-');
    const { child, done } = startCli(['local', '--s3-port', '0', '--emulator-port', '0', '--data-dir', dir], {
      timeoutMs: 60_000,
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await untilOrEnded(() => out.includes('Press Ctrl-C'), done, 'the stack was up');
    const endpoint = /S3-compatible server: (\S+)/.exec(out)![1]!;
    const s3 = createS3Client(
      { endpoint, forcePathStyle: true, region: 'us-east-1' },
      { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    );
    const line = /^run (\S+) of (.+) (\w+) \((\d+) tasks, (\d+) failed or not done\): (http\S+)$/m;
    try {
      // A key that needs encoding in a URL: a space and a plus.
      await s3.send(
        new PutObjectCommand({
          Bucket: 'fdi-provisioner',
          Key: 'manifests/link dir/wave+1.yaml',
          Body: bulkManifest(3, { prefix: 'links' }),
        }),
      );
      await untilOrEnded(() => line.test(out), done, 'a finished run was printed');
    } finally {
      s3.destroy();
    }
    const [, runId, manifest, status, total, , url] = line.exec(out)!;
    expect([manifest, status, total]).toEqual([
      's3://fdi-provisioner/manifests/link dir/wave+1.yaml',
      'succeeded',
      '3',
    ]);
    expect(url).toBe(`${endpoint}/fdi-provisioner/reports/link%20dir/wave%2B1/${runId}/report.html`);
    // What a browser gets: the page, as HTML, with no credentials.
    const res = await fetch(url!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await res.text();
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain(runId);
    child.kill('SIGINT');
    expect((await done).code).toBe(0);
  }, 90_000);

  it('npm run demo ends by listing each report.html, in the bucket and as a file that opens', async () => {
    const dir = await tempDir('fdi-demo-links-');
    const res = await runCli(['demo', '--data-dir', dir], { timeoutMs: 150_000 });
    expect(res.code, res.stderr).toBe(0);
    const tail = res.stdout.slice(res.stdout.lastIndexOf('\nreport.html of each run'));
    const buckets = [...tail.matchAll(/^ {2}succeeded (s3:\/\/\S+\/report\.html)$/gm)].map((m) => m[1]!);
    const files = [...tail.matchAll(/^ {12}(\/\S+\/report\.html)$/gm)].map((m) => m[1]!);
    const reportsListed = [...res.stdout.matchAll(/^report files: (s3:\/\/\S+\/)$/gm)].map((m) => `${m[1]}report.html`);
    expect(buckets).toEqual(reportsListed);
    expect(files).toHaveLength(buckets.length);
    for (const [i, file] of files.entries()) {
      expect(file.startsWith(dir)).toBe(true);
      expect(buckets[i]!.endsWith(file.slice(dir.length + 1))).toBe(true);
      expect((await readFile(file, 'utf8')).startsWith('<!DOCTYPE html>')).toBe(true);
    }
    // It is the end of the output.
    expect(res.stdout.trimEnd().endsWith(files.at(-1)!)).toBe(true);
  }, 180_000);
});
