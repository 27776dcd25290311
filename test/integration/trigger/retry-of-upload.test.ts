/**
 * A failed.yaml uploaded through the S3 API (README, "Reports and storage layout"): its run's reports
 * go into the folder of the run it retries (`retry_of.path`), not into a folder named after the key it
 * was uploaded under, and its report.json and summary.md say which run it retries.
 */
import { describe, expect, it } from 'vitest';
import { bulkManifest } from '../../helpers/cli.js';
import { useLocalStack } from '../../helpers/local-stack.js';
import { getReport, getText, listKeys, upload } from '../../helpers/stack.js';

describe('retry_of through the upload trigger', () => {
  const fx = useLocalStack('fdi-retry-of-');

  it("an uploaded failed.yaml reports into the original manifest's folder, with retry_of", async () => {
    const { stack } = fx;
    const original = 'manifests/team/wave1.yaml';
    // The instance takes one task only: two of the three creates fail (no retries).
    stack.emulator.configure({ maxTasks: 1 });
    await upload(stack, original, bulkManifest(3, { prefix: 'rt', extra: 'options: { max_attempts: 1 }' }));
    await stack.idle();
    stack.emulator.configure({ maxTasks: 1000 });

    const failed = await getReport(stack, 'reports/team/wave1/latest.json');
    expect(failed.status).toBe('partial');
    expect(failed.counts).toMatchObject({ total: 3, created: 1, failed: 2 });
    expect(failed.retry_of).toBeUndefined();
    const failedNames = failed.tasks.filter((t) => t.status === 'failed').map((t) => t.name);
    const failedYaml = await getText(stack, `reports/team/wave1/${failed.run_id}/failed.yaml`);
    expect(failedYaml).toBeDefined();
    const originUri = `s3://${stack.bucket}/${original}`;
    expect(failedYaml).toContain(
      `retry_of:\n  manifest: ${originUri}\n  run_id: ${failed.run_id}\n  path: team/wave1\n`,
    );

    // Uploaded as is, under a key of its own below the manifest prefix.
    await upload(stack, 'manifests/retries/wave1-failed.yaml', failedYaml!);
    await stack.idle();

    const retry = await getReport(stack, 'reports/team/wave1/latest.json');
    expect(retry.run_id).not.toBe(failed.run_id);
    expect(retry.status).toBe('succeeded');
    expect(retry.manifest.uri).toBe(`s3://${stack.bucket}/manifests/retries/wave1-failed.yaml`);
    expect(retry.retry_of).toEqual({ manifest: originUri, run_id: failed.run_id, path: 'team/wave1' });
    expect(retry.tasks.map((t) => t.name).sort()).toEqual([...failedNames].sort());
    expect(retry.counts).toMatchObject({ total: 2, created: 2 });

    // Its files sit next to the run it retries; nothing was written under the upload's own name.
    const dir = `reports/team/wave1/${retry.run_id}/`;
    expect(await listKeys(stack, dir)).toEqual([
      `${dir}report.html`,
      `${dir}report.json`,
      `${dir}run.json`,
      `${dir}summary.md`,
      `${dir}tasks.csv`,
    ]);
    expect(await getReport(stack, `${dir}report.json`)).toEqual(retry);
    expect(await listKeys(stack, 'reports/retries/')).toEqual([]);
    expect(await listKeys(stack, 'reports/team/wave1/')).toEqual(
      expect.arrayContaining([`reports/team/wave1/${failed.run_id}/report.json`, `${dir}report.json`]),
    );
    expect(await getText(stack, `${dir}summary.md`)).toContain(`Retries run ${failed.run_id} of \`${originUri}\``);

    // What FDI holds: every task of the original manifest, each created once.
    const stats = stack.emulator.stats();
    expect(stats.tasksStored).toBe(3);
    expect(Object.values(stats.createsCommitted).every((n) => n === 1)).toBe(true);
    expect(stack.outcomes.filter((o) => o.kind === 'finished')).toHaveLength(2);
  });
});
