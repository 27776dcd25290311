/**
 * The function keeps its records of the last applies in the bucket's state prefix (docs/DRIFT.md): a
 * manifest uploaded again unchanged under `on_exists: update` reads and writes no task, and a command
 * line `plan` of the same s3:// manifest finds the function's records there by default.
 */
import { describe, expect, it } from 'vitest';
import { bulkManifest, runCli } from '../../helpers/cli.js';
import { useLocalStack } from '../../helpers/local-stack.js';
import { getReport, getText, listKeys, upload } from '../../helpers/stack.js';
import { routeCount } from '../../helpers/emulator.js';

const N = 30;

describe('records of the last applies, kept by the function', () => {
  const fx = useLocalStack('fdi-applied-');

  it('an unchanged re-upload under on_exists: update reads and writes no task; plan from the CLI agrees', async () => {
    const { stack } = fx;
    const key = 'manifests/team/records.yaml';
    const text = bulkManifest(N, { prefix: 'rec', extra: 'options: { on_exists: update }' });
    await upload(stack, key, text);
    await stack.idle();
    expect((await getReport(stack, 'reports/team/records/latest.json')).counts.created).toBe(N);

    const records = (await listKeys(stack, 'state/applied/')).filter((k) => k.endsWith('.json'));
    expect(records).toEqual([
      expect.stringMatching(/^state\/applied\/127\.0\.0\.1%3A\d+\/local-project\/local-instance\.json$/),
    ]);
    const stored = JSON.parse((await getText(stack, records[0]!))!) as { tasks: Record<string, { task_id: string }> };
    expect(Object.keys(stored.tasks)).toHaveLength(N);

    const reads = routeCount(stack.emulator, 'GET /tasks/{task_id}');
    const puts = routeCount(stack.emulator, 'PUT /tasks/{task_id}');
    await upload(stack, key, `${text}# uploaded again\n`);
    await stack.idle();
    const again = await getReport(stack, 'reports/team/records/latest.json');
    expect(again.counts).toMatchObject({ total: N, existing: N, updated: 0 });
    expect(routeCount(stack.emulator, 'GET /tasks/{task_id}')).toBe(reads);
    expect(routeCount(stack.emulator, 'PUT /tasks/{task_id}')).toBe(puts);

    // The command line's plan of the same object finds the records in the bucket's state prefix.
    const plan = await runCli(['plan', `s3://${stack.bucket}/${key}`, '--json'], {
      // No FDI_STATE: an s3:// manifest's records default to its bucket's state prefix.
      env: { ...stack.env, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', FDI_STATE: undefined },
    });
    expect(plan.code, plan.stderr).toBe(0);
    const entries = (JSON.parse(plan.stdout) as { entries: Array<{ compared?: string }> }).entries;
    expect(new Set(entries.map((e) => e.compared))).toEqual(new Set(['unchanged']));
    expect(routeCount(stack.emulator, 'GET /tasks/{task_id}')).toBe(reads);
  });
});
