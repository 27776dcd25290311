/**
 * End to end over real loopback servers: an upload through the S3 API → the store's event → the
 * handler → tasks in the emulator → the report in the bucket, agreeing with the emulator.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../../local/stack.js';
import { silentLogger } from '../../../lib/logger.js';
import { ROOT, bulkManifest, tempDir } from '../../helpers/cli.js';
import { getReport, getText, listKeys, upload } from '../../helpers/stack.js';

describe('embedded local stack: upload → handler → FDI → report', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ dataDir: await tempDir('fdi-stack-'), logger: silentLogger() });
  });
  afterAll(() => stack.close());

  it('provisions an uploaded manifest and writes report.json, tasks.csv, summary.md and latest.json', async () => {
    await upload(
      stack,
      'manifests/team/wave1.yaml',
      bulkManifest(40, { prefix: 'wave1', instances: ['local-instance', 'local-instance-2'] }),
    );
    await stack.idle();
    const stats = stack.emulator.stats();
    expect(stats.tasksStored).toBe(40);
    expect(Object.values(stats.createsCommitted).every((n) => n === 1)).toBe(true);
    const latest = await getReport(stack, 'reports/team/wave1/latest.json');
    expect(latest.status).toBe('succeeded');
    expect(latest.counts.created).toBe(40);
    expect(latest.manifest.uri).toBe(`s3://${stack.bucket}/manifests/team/wave1.yaml`);
    const dir = `reports/team/wave1/${latest.run_id}/`;
    expect(await listKeys(stack, dir)).toEqual([
      `${dir}report.html`,
      `${dir}report.json`,
      `${dir}run.json`,
      `${dir}summary.md`,
      `${dir}tasks.csv`,
    ]);
    const csv = parse((await getText(stack, `${dir}tasks.csv`))!, { columns: true }) as Array<{
      name: string;
      task_id: string;
    }>;
    const stored = new Map(stack.emulator.tasks().map((t) => [t.task_name, t.task_id]));
    expect(csv).toHaveLength(40);
    for (const row of csv) expect(row.task_id).toBe(stored.get(row.name));
    expect(await getText(stack, `${dir}summary.md`)).toContain('| 40 | 40 | 0 | 0 | 0 | 0 | 0 |');
    // Writing the report and state raised events too; every one of them was ignored, none re-triggered a run.
    const finished = stack.outcomes.filter((o) => o.kind === 'finished');
    expect(finished).toHaveLength(1);
    const ignored = stack.outcomes.filter((o) => o.kind === 'ignored').map((o) => (o as { key: string }).key);
    expect(ignored.some((k) => k.startsWith('reports/'))).toBe(true);
    expect(ignored.some((k) => k.startsWith('state/'))).toBe(true);
  });

  it('decodes keys with spaces, "+" and unicode', async () => {
    const key = 'manifests/in box/my manifest é 日本 (1)+x.yaml';
    await upload(stack, key, bulkManifest(3, { prefix: 'unicode' }));
    await stack.idle();
    const latest = await getReport(stack, 'reports/in box/my manifest é 日本 (1)+x/latest.json');
    expect(latest.status).toBe('succeeded');
    expect(latest.manifest.uri).toBe(`s3://${stack.bucket}/${key}`);
  });

  it('ignores uploads outside the prefix or without a .yaml/.yml suffix', async () => {
    const before = stack.emulator.stats().requestsTotal;
    await upload(stack, 'manifests/notes.txt', 'hello');
    await upload(stack, 'elsewhere/wave.yaml', bulkManifest(2));
    await stack.idle();
    expect(stack.emulator.stats().requestsTotal).toBe(before);
    const keys = stack.outcomes.filter((o) => o.kind === 'ignored').map((o) => (o as { key: string }).key);
    expect(keys).toEqual(expect.arrayContaining(['manifests/notes.txt', 'elsewhere/wave.yaml']));
  });

  it('takes the suffixes exactly as the deployment does: .YAML and .Yml are not manifests (#11.13)', async () => {
    const before = stack.emulator.stats().requestsTotal;
    await upload(stack, 'manifests/upper.YAML', bulkManifest(2, { prefix: 'upper' }));
    await upload(stack, 'manifests/mixed.Yml', bulkManifest(2, { prefix: 'mixed' }));
    await stack.idle();
    expect(stack.emulator.stats().requestsTotal).toBe(before);
    const ignored = stack.outcomes.filter((o) => o.kind === 'ignored') as Array<{ key: string; reason: string }>;
    for (const key of ['manifests/upper.YAML', 'manifests/mixed.Yml']) {
      expect(ignored.find((o) => o.key === key)?.reason).toMatch(/\.yaml or \.yml, in lower case/);
    }
    // The deployment's notification filters are the same two exact suffixes.
    const serverless = await readFile(path.join(ROOT, 'serverless.yml'), 'utf8');
    expect(serverless).toContain('{ suffix: .yaml }');
    expect(serverless).toContain('{ suffix: .yml }');
  });

  it('an invalid manifest yields a rejected report and no API call', async () => {
    const before = stack.emulator.stats().requestsTotal;
    await upload(stack, 'manifests/broken.yml', 'version: 1\ntasks:\n  - name: x\n    task_tpe: REALTIME\n');
    await stack.idle();
    const latest = await getReport(stack, 'reports/broken/latest.json');
    expect(latest.status).toBe('rejected');
    expect(latest.errors.length).toBeGreaterThan(0);
    expect(latest.errors.some((e) => e.line === 4 && /task_type/.test(e.message))).toBe(true);
    expect(stack.emulator.stats().requestsTotal).toBe(before);
  });
});
