import jsone from 'json-e';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Renderer,
  combinations,
  deepMerge,
  matrixCount,
  prepareTemplate,
  stringifyJson,
  toMatrixSpec,
  usesOperators,
} from '../../../lib/template/index.js';

const renderer = () =>
  new Renderer({ maxRangeLength: 100, maxStringLength: 10_000, maxValueLength: 100_000, maxRenderMs: 500 });

describe('deepMerge', () => {
  it.each([
    [{ a: 1, b: { c: 1, d: [1] } }, { b: { d: [2], e: 3 } }, { a: 1, b: { c: 1, d: [2], e: 3 } }],
    [{ a: { x: 1 } }, { a: [1] }, { a: [1] }],
    [{ a: { $eval: 'x' } }, { a: { y: 1 } }, { a: { y: 1 } }],
    [{ a: { y: 1 } }, { a: { $if: 'x', then: 1 } }, { a: { $if: 'x', then: 1 } }],
    [{ a: 1 }, { a: null }, { a: null }],
  ])('%j + %j', (base, over, want) => {
    expect(deepMerge(base, over)).toEqual(want);
  });
  it('keeps the first position of a key, appends new ones, and never assigns __proto__', () => {
    const merged = deepMerge(
      JSON.parse('{"b":1,"a":2}'),
      JSON.parse('{"c":3,"b":4,"__proto__":{"polluted":1}}'),
    ) as object;
    expect(Object.keys(merged)).toEqual(['b', 'a', 'c', '__proto__']);
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(({} as { polluted?: number }).polluted).toBeUndefined();
  });
});

describe('matrix', () => {
  it('is the cartesian product, last dimension fastest, then includes', () => {
    const spec = toMatrixSpec({ a: [1, 2], b: ['x', 'y'], include: [{ a: 9, c: true }] });
    expect(matrixCount(spec)).toBe(5);
    expect([...combinations(spec)]).toEqual([
      { a: 1, b: 'x' },
      { a: 1, b: 'y' },
      { a: 2, b: 'x' },
      { a: 2, b: 'y' },
      { a: 9, c: true },
    ]);
  });
  it('counts without expanding', () => {
    const huge = toMatrixSpec({ a: new Array(1e6).fill(0), b: new Array(1e6).fill(0) });
    expect(matrixCount(huge)).toBe(1e12);
  });
  it('count always equals the number of combinations', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 4 }),
        fc.integer({ min: 0, max: 3 }),
        (sizes, inc) => {
          const matrix: Record<string, unknown> = {};
          sizes.forEach((n, i) => {
            matrix[`d${i}`] = Array.from({ length: n }, (_, v) => v);
          });
          if (inc) matrix.include = Array.from({ length: inc }, () => ({}));
          const spec = toMatrixSpec(matrix);
          expect([...combinations(spec)].length).toBe(matrixCount(spec));
        },
      ),
    );
  });
});

describe('Renderer', () => {
  it('renders like json-e itself, for static and dynamic parts alike', () => {
    const template = {
      s: 'plain',
      n: 1606807799782,
      t: 'T-${x}',
      list: [1, '${x}', { $if: 'x == "no"', then: 'gone' }, { k: '${x}' }],
      obj: { keep: { deep: [true, null] }, dyn: { $eval: 'x' } },
      maybe: { $if: 'false', then: 1 },
      '${x}-key': 1,
      $$lit: '$${x}',
    };
    const vars = { x: 'v' };
    const direct = jsone(template, vars);
    const r = renderer().renderPrepared(prepareTemplate(template), vars, false);
    expect(r).toEqual({ ok: true, value: direct });
    expect(JSON.stringify((r as { value: unknown }).value)).toBe(JSON.stringify(direct));
  });
  it('locates errors inside the template, through the batch', () => {
    const template = { a: { b: ['ok', '${missing}'] } };
    const r = renderer().renderPrepared(prepareTemplate(template), {}, false);
    expect(r).toMatchObject({ ok: false, failure: { kind: 'template', variable: 'missing', path: ['a', 'b', 1] } });
  });
  it('substitutes plain ${variable} strings exactly as json-e does, and leaves every other string to it', () => {
    const name = fc.constantFrom(
      'x',
      'y',
      'table',
      'lowercase',
      'missing',
      'true',
      'null',
      'in',
      'x.y',
      'x ',
      ' y',
      '"}"',
      '',
    );
    const value = fc.oneof(
      fc.string(),
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.integer(), { maxLength: 2 }),
      fc.dictionary(fc.string(), fc.integer(), { maxKeys: 1, noNullPrototype: true }),
    );
    const literal = fc.string({ unit: fc.constantFrom('a', '-', ' ', '$', '{', '}', '.', 'é') });
    const text = fc
      .array(fc.tuple(literal, name), { maxLength: 3 })
      .chain((parts) =>
        fc
          .tuple(fc.constant(parts), literal, fc.boolean())
          .map(([ps, tail, closed]) => ps.map(([lit, n]) => `${lit}\${${n}${closed ? '}' : ''}`).join('') + tail),
      );
    const vars = fc.record({ x: value, y: value, table: value, lowercase: value }, { requiredKeys: [] });
    fc.assert(
      fc.property(text, vars, (t, v) => {
        let expected: unknown;
        try {
          expected = { ok: true, value: jsone({ s: t }, { ...v }) };
        } catch {
          expected = { ok: false };
        }
        const r = renderer().renderPrepared(prepareTemplate({ s: t }), v, false);
        expect(r.ok ? r : { ok: false }).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });
  it('serialises rendered values exactly as JSON.stringify, reusing the text of shared static parts', () => {
    // Any JSON without "$" (no operators, no ${…}) is static for json-e.
    const data = fc.jsonValue().filter((v) => !JSON.stringify(v).includes('$'));
    fc.assert(
      fc.property(data, data, fc.string(), (a, b, x) => {
        const template = { a, dyn: '${x}', nested: { b, list: [a, '${x}', { $if: 'x == ""', then: 'kept' }] } };
        const r = renderer().renderPrepared(prepareTemplate(template), { x }, false);
        expect(r.ok).toBe(true);
        const value = (r as { value: unknown }).value;
        expect(stringifyJson(value)).toBe(JSON.stringify(value));
        expect(JSON.parse(stringifyJson(value))).toEqual(JSON.parse(JSON.stringify(jsone(template, { x }))));
      }),
      { numRuns: 300 },
    );
  });
  it("bounded builtins keep json-e's semantics within the bound", () => {
    const r = renderer().render(
      { r: { $eval: 'range(1, 10, 3)' }, j: '${join(["a", 1], "-")}', s: { $eval: 'split("a,b", ",")' } },
      {},
      false,
    );
    expect(r).toEqual({ ok: true, value: { r: [1, 4, 7], j: 'a-1', s: ['a', 'b'] } });
    expect(renderer().render({ $eval: 'range("a", 2)' }, {}, false)).toMatchObject({
      ok: false,
      failure: { kind: 'template', message: 'json-e builtin error: invalid arguments to builtin: range' },
    });
  });
  it('stops runaway templates: too long a range, too long a join, too much time', () => {
    expect(renderer().render({ $eval: 'range(0, 101)' }, {}, false)).toMatchObject({
      ok: false,
      failure: { kind: 'bound' },
    });
    expect(renderer().render({ $eval: 'join(range(0, 100), s)' }, { s: 'x'.repeat(200) }, false)).toMatchObject({
      ok: false,
      failure: { kind: 'bound' },
    });
    const slow = {
      $map: { $eval: 'range(0, 100)' },
      'each(a)': {
        $map: { $eval: 'range(0, 100)' },
        'each(b)': {
          $map: { $eval: 'range(0, 100)' },
          'each(c)': { $map: { $eval: 'range(0, 100)' }, 'each(d)': '${a}' },
        },
      },
    };
    expect(renderer().render(slow, {}, true)).toMatchObject({
      ok: false,
      failure: { kind: 'bound', message: 'rendering took longer than 500 ms' },
    });
  });
  it('knows which templates use operators', () => {
    expect(usesOperators({ a: ['${x}', { b: 1 }] })).toBe(false);
    expect(usesOperators({ a: [{ $eval: 'x' }] })).toBe(true);
    expect(usesOperators({ $$lit: 1 })).toBe(false);
  });
});
