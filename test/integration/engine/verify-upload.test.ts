/**
 * The upload trigger verifies through the manifest's options.verify alone (docs/VERIFY.md): an upload
 * to the local stack runs the tasks now, waits for their executions, and its report in the bucket
 * names the failed ones with FDI's remarks.
 */
import { describe, expect, it } from 'vitest';
import { executionOutcome } from '../../../emulator/index.js';
import { useLocalStack } from '../../helpers/local-stack.js';
import { getReport, upload } from '../../helpers/stack.js';
import { timingManifest } from './timing-manifest.js';

describe('verification of an upload', () => {
  const fx = useLocalStack('fdi-verify-upload-');

  it('options.verify: the report in the bucket has each execution, failed ones with their remarks', async () => {
    const { stack } = fx;
    const n = 10;
    const taskNames = Array.from({ length: n }, (_, i) => `vu-${String(i).padStart(4, '0')}`);
    let seed = 1;
    while (!taskNames.some((t) => executionOutcome(seed, 0.1, t, 1).fails)) seed += 1;
    const failing = taskNames.filter((t) => executionOutcome(seed, 0.1, t, 1).fails);
    stack.emulator.configure({ executionMs: 300, executionFailShare: 0.1, executionSeed: seed });
    await upload(
      stack,
      'manifests/team/verify.yaml',
      timingManifest(n, { prefix: 'vu', extra: 'options: { verify: 30 }' }),
    );
    await stack.idle();
    const report = await getReport(stack, 'reports/team/verify/latest.json');
    expect(report.counts).toMatchObject({ total: n, created: n });
    expect(report.steps.runs_triggered).toBe(n);
    expect(report.verify).toMatchObject({
      timeout_s: 30,
      ended: 'settled',
      healthy: false,
      counts: { succeeded: n - failing.length, failed: failing.length },
    });
    const failed = report.tasks.filter((t) => t.execution?.state === 'failed');
    expect(failed.map((t) => t.name).sort()).toEqual(failing.sort());
    for (const t of failed) expect(t.execution?.remarks).toMatch(/^Simulated failure: the target rejected \d+ rows/);
  });
});
