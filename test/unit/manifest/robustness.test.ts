import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { compileManifest } from '../../../lib/manifest/index.js';

const SHAPES = [
  '- a\n- b\n',
  'just text',
  '42',
  'version: 1\ntasks: { a: 1 }\n',
  'version: 1\ntasks: [1, "x", null, [1]]\n',
  'version: 1\ntemplates: [a]\nvars: [1]\ndefaults: 5\ntasks:\n  - name: abc\n',
  'version: 1\ntasks:\n  - name: abc\n    matrix: 5\n',
  'version: 1\ntasks:\n  - name: abc\n    matrix: { include: 5, a: 1 }\n',
  'version: 1\ntasks:\n  - { name: abc, template: t }\ntemplates: { t: 5 }\n',
  'version: 1\ntasks:\n  - { name: abc, detail: [1], detail_json: 5, schedule: 1, target: x, vars: { a: 1 } }\n',
  '',
];

describe('compileManifest never throws', () => {
  it.each(SHAPES)('for %j', (text) => {
    const r = compileManifest(text, 'x.yaml');
    expect(r.manifest).toBeUndefined();
    expect(r.problems.length).toBeGreaterThan(0);
  });
  it('for any value written as YAML, under the top-level keys', () => {
    const value = fc.record(
      {
        version: fc.oneof(fc.constant(1), fc.anything()),
        tasks: fc.oneof(
          fc.anything(),
          fc.array(
            fc.dictionary(
              fc.constantFrom(
                'name',
                'template',
                'matrix',
                'detail',
                'vars',
                'task_type',
                'schedule',
                'target',
                'start',
              ),
              fc.anything(),
            ),
          ),
        ),
        templates: fc.anything(),
        defaults: fc.anything(),
        vars: fc.anything(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(value, (v) => {
        const r = compileManifest(stringify(v), 'x.yaml', { maxRenderMs: 200 });
        expect(Array.isArray(r.problems)).toBe(true);
        if (r.manifest) for (const _t of r.manifest.tasks());
      }),
      { numRuns: 300 },
    );
  });
  it('for any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        expect(Array.isArray(compileManifest(text, 'x.yaml').problems)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
