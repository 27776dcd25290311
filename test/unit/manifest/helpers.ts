/** Shared helpers of the manifest tests: compile inline YAML and pull its tasks. */
import { expect } from 'vitest';
import {
  type CompiledManifest,
  type ExpandedTask,
  type ManifestLimits,
  type Problem,
  compileManifest,
  formatProblem,
} from '../../../lib/manifest/index.js';

/** Compiles YAML and returns the problems (formatted, for readable failures) and the manifest. */
export function compile(
  yaml: string,
  limits?: Partial<ManifestLimits>,
): { manifest?: CompiledManifest; problems: Problem[]; text: string } {
  const r = compileManifest(yaml, 'test.yaml', limits);
  return { ...r, text: r.problems.map(formatProblem).join('\n') };
}

/** Compiles YAML that must be valid and returns its tasks. */
export function tasksOf(yaml: string, limits?: Partial<ManifestLimits>): ExpandedTask[] {
  const r = compile(yaml, limits);
  expect(r.text).toBe('');
  return [...r.manifest!.tasks()];
}

/** Compiles YAML that must be invalid and returns its problems. */
export function problemsOf(yaml: string, limits?: Partial<ManifestLimits>): Problem[] {
  const r = compile(yaml, limits);
  expect(r.manifest).toBeUndefined();
  expect(r.problems.length).toBeGreaterThan(0);
  return r.problems;
}

/** A minimal valid task entry (indent 2, inside `tasks:`), with extra lines. */
export function entry(name: string, extra = ''): string {
  return `  - name: ${name}
    task_type: TIMING
    source_datasource: src-id
    target_datasource: { name: oracle-cdc }
    detail: { a: 1 }
${extra}`;
}

export const HEAD = 'version: 1\ntasks:\n';
