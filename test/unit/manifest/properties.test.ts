import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HEAD, compile, entry } from './helpers.js';

const NAME_FIRST = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const NAME_REST = `${NAME_FIRST}._-`;
const TAG_CHARS = `${NAME_FIRST}_-`;

const chars = (alphabet: string, min: number, max: number) =>
  fc.array(fc.constantFrom(...alphabet.split('')), { minLength: min, maxLength: max }).map((a) => a.join(''));
/** Any string without "$" (json-e would read "${" as an expression) — control characters and all of Unicode included. */
const anyText = fc.string({ unit: 'grapheme', maxLength: 120 }).filter((s) => !s.includes('$'));

const validName = fc.tuple(chars(NAME_FIRST, 1, 1), chars(NAME_REST, 2, 99)).map(([a, b]) => a + b);
const invalidName = anyText.filter(
  (s) => !(s.length >= 3 && s.length <= 100 && /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(s)) && s.length > 0,
);
const validTag = chars(TAG_CHARS, 4, 64);
const invalidTag = anyText.filter(
  (s) => s.length > 0 && !(s.length >= 4 && s.length <= 64 && /^[A-Za-z0-9_-]+$/.test(s)),
);

const withName = (name: string) => `${HEAD}${entry(JSON.stringify(name))}`;
const withTag = (tag: string) => `${HEAD}${entry('tagged', `    task_tag: ${JSON.stringify(tag)}\n`)}`;

describe('task names (the create-call rule, through the manifest)', () => {
  it('every generated valid name passes', () => {
    fc.assert(
      fc.property(validName, (name) => {
        const r = compile(withName(name));
        expect(r.text).toBe('');
        expect([...r.manifest!.tasks()][0].name).toBe(name);
      }),
      { numRuns: 200 },
    );
  });
  it('every generated invalid name is reported on the name, as a constraint', () => {
    fc.assert(
      fc.property(invalidName, (name) => {
        const { problems } = compile(withName(name));
        expect(problems.length).toBeGreaterThan(0);
        expect(problems.every((p) => p.kind === 'constraint' && p.field === 'task.task_name' && p.line === 3)).toBe(
          true,
        );
      }),
      { numRuns: 300 },
    );
  });
});

describe('task tags', () => {
  it('every generated valid tag passes', () => {
    fc.assert(
      fc.property(validTag, (tag) => {
        expect(compile(withTag(tag)).text).toBe('');
      }),
      { numRuns: 200 },
    );
  });
  it('every generated invalid tag is reported on the tag', () => {
    fc.assert(
      fc.property(invalidTag, (tag) => {
        const { problems } = compile(withTag(tag));
        expect(problems.length).toBeGreaterThan(0);
        expect(problems.every((p) => p.kind === 'constraint' && p.field === 'task.task_tag' && p.line === 8)).toBe(
          true,
        );
      }),
      { numRuns: 300 },
    );
  });
});

describe('matrix expansion', () => {
  const dims = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 0, maxLength: 3 });
  const spec = fc.tuple(dims, fc.integer({ min: 0, max: 3 })).filter(([d, inc]) => d.length + inc > 0);

  it('expands to the product of the dimension sizes plus the includes, in order', () => {
    fc.assert(
      fc.property(spec, ([sizes, includes]) => {
        const names = sizes.map((_, i) => `d${i}`);
        const matrix = names.map((n, i) => `${n}: [${Array.from({ length: sizes[i] }, (_, v) => v).join(', ')}]`);
        const extra = Array.from(
          { length: includes },
          (_, k) =>
            `{ ${names
              .map((n) => `${n}: inc${k}`)
              .concat(`k: ${k}`)
              .join(', ')} }`,
        );
        const yaml = `${HEAD}${entry(JSON.stringify(`t-${names.map((n) => `\${${n}}`).join('-')}-\${k}x`), `    vars: { k: none }\n    matrix: { ${[...matrix, ...(includes ? [`include: [${extra.join(', ')}]`] : [])].join(', ')} }\n`)}`;
        const r = compile(yaml);
        expect(r.text).toBe('');
        const expected = (sizes.length ? sizes.reduce((a, b) => a * b, 1) : 0) + includes;
        expect(r.manifest!.taskCount).toBe(expected);
        const tasks = [...r.manifest!.tasks()];
        expect(tasks.map((t) => t.index)).toEqual(Array.from({ length: expected }, (_, i) => i));
        if (sizes.length && sizes.every((s) => s > 1)) expect(tasks[1].name.endsWith('-1-nonex')).toBe(true); // last dimension varies fastest
      }),
      { numRuns: 150 },
    );
  });

  it('names are unique per instance, or every duplicate is reported', () => {
    const names = fc.array(fc.constantFrom('alpha', 'bravo', 'charlie', 'delta'), { minLength: 1, maxLength: 8 });
    const instances = fc.array(fc.constantFrom('i1', 'i2'), { minLength: 8, maxLength: 8 });
    fc.assert(
      fc.property(names, instances, (list, where) => {
        const yaml = `${HEAD}${list.map((n, i) => entry(n, `    target: { instance_id: ${where[i]} }\n`)).join('')}`;
        const { problems } = compile(yaml);
        const keys = list.map((n, i) => `${where[i]}/${n}`);
        const duplicates = keys.length - new Set(keys).size;
        expect(problems).toHaveLength(duplicates);
        for (const p of problems) {
          expect(p).toMatchObject({ kind: 'constraint', field: 'task.task_name' });
          expect(keys.slice(0, p.taskIndex).includes(keys[p.taskIndex!])).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });
});
