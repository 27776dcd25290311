import { afterEach, describe, expect, it, vi } from 'vitest';
import { compileManifest } from '../../../lib/manifest/index.js';
import { Renderer } from '../../../lib/template/index.js';

/** 10,000 tasks over 20 instances, each with a detail of about 4 KB (40 MB if all were held). */
function bigManifest(): string {
  const tables = Array.from({ length: 10_000 }, (_, i) => `T${i}`).join(', ');
  const columns = Array.from(
    { length: 40 },
    (_, i) => `{ field_name: COL_${i}, field_type: VARCHAR2, field_length: "64", null_able: "1", unique: "0" }`,
  ).join(',\n          ');
  return `version: 1
target: { project_id: local-project }
tasks:
  - name: "copy-\${lowercase(t)}"
    task_type: TIMING
    source_datasource: { name: mysql-orders }
    target_datasource: 30969b205e8f4392a25fb321112d1753
    target: { instance_id: "instance-\${t[-2:-1]}\${t[-1:]}" }
    matrix: { t: [${tables}] }
    detail:
      targetSelectedDatasource:
        targetTable: "CDCMODEL.\${t}"
        targetSelectedColumnList: [
          ${columns}
        ]
`;
}

afterEach(() => vi.restoreAllMocks());

describe('10,000 tasks', () => {
  it('compile renders each task once and keeps no rendered detail; tasks() renders one task per pull', () => {
    const renders = vi.spyOn(Renderer.prototype, 'renderPrepared');
    const { manifest, problems } = compileManifest(bigManifest(), 'big.yaml');
    expect(problems).toEqual([]);
    expect(manifest!.taskCount).toBe(10_000);
    expect(renders).toHaveBeenCalledTimes(10_000);

    renders.mockClear();
    const iterator = manifest!.tasks()[Symbol.iterator]();
    expect(renders).toHaveBeenCalledTimes(0); // nothing happens before the first pull
    for (let i = 0; i < 5; i++) {
      const { value } = iterator.next();
      expect(value.index).toBe(i);
      expect(renders).toHaveBeenCalledTimes(i + 1);
    }
    iterator.return?.(undefined);

    // A second call starts over.
    const first = manifest!.tasks()[Symbol.iterator]().next().value;
    expect(first.name).toBe('copy-t0');
  });

  it('streaming all tasks keeps memory flat', () => {
    const { manifest } = compileManifest(bigManifest(), 'big.yaml');
    const base = process.memoryUsage().heapUsed;
    let peak = 0;
    let bytes = 0;
    let count = 0;
    for (const task of manifest!.tasks()) {
      bytes += task.task_detail.length;
      count += 1;
      if (count % 500 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed - base);
    }
    expect(count).toBe(10_000);
    expect(bytes).toBeGreaterThan(35_000_000);
    // Holding every detail would add their size (UTF-16 in memory: twice that); streaming stays far below.
    expect(peak).toBeLessThan(bytes);
  });
});
