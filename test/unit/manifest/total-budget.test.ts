import { describe, expect, it } from 'vitest';
import { compileManifest } from '../../../lib/manifest/index.js';

// Every task maps over 10,000 items: each alone is well within the per-task budget.
const slow = `version: 1
target: { project_id: p, instance_id: i }
defaults: { task_type: REALTIME, source_datasource: a, target_datasource: b }
tasks:
  - name: "slow-\${n}"
    matrix: { n: [${Array.from({ length: 200 }, (_, i) => i).join(', ')}] }
    detail:
      x:
        $map: { $eval: "range(0, 10000)" }
        each(v): { $eval: "v * 2" }
`;

describe('the manifest-wide rendering budget', () => {
  it('stops a manifest whose tasks together render for too long, with a located problem', () => {
    const started = performance.now();
    const { manifest, problems } = compileManifest(slow, 'slow.yaml', { maxTotalRenderMs: 300 });
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(manifest).toBeUndefined();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ kind: 'bound', line: 5 });
    expect(problems[0].message).toMatch(/rendering the manifest took longer than 300 ms \(stopped at task #\d+\)/);
  });

  it('the same manifest passes with the default budget when it is small', () => {
    const { problems } = compileManifest(
      slow.replace(/matrix: \{ n: \[[^\]]*\] \}/, 'matrix: { n: [1, 2] }'),
      'slow.yaml',
    );
    expect(problems).toEqual([]);
  });
});
