import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../../lib/manifest/index.js';
import { HEAD, compile, entry, problemsOf, tasksOf } from './helpers.js';

const withDetail = (detail: string, extra = '') =>
  `${HEAD}${entry('bounded', extra).replace('detail: { a: 1 }', () => `detail: ${detail}`)}`;

describe('defaults', () => {
  it('are the documented ones', () => {
    expect(DEFAULT_LIMITS).toEqual({
      maxBytes: 4 * 1024 * 1024,
      maxAliases: 1000,
      maxDepth: 64,
      maxNodes: 200_000,
      maxTasks: 10_000,
      maxDetailBytes: 1024 * 1024,
      maxRangeLength: 10_000,
      maxRenderMs: 1000,
      maxTotalRenderMs: 20_000,
    });
  });
});

describe('input bounds, checked before the document is built', () => {
  it('size: refuses more bytes than maxBytes, before parsing', () => {
    const [p] = problemsOf(`${HEAD}${entry('abc')}#${'x'.repeat(2000)}\n`, { maxBytes: 1000 });
    expect(p).toMatchObject({ kind: 'bound', message: expect.stringContaining('at most 1000 bytes are accepted') });
  });

  it('a 1,000,000-value matrix is rejected quickly and with bounded memory (token scan, not parse)', () => {
    const values = Array.from({ length: 1_000_000 }, (_, i) => i % 10).join(',');
    const yaml = `${HEAD}${entry('"t-${n}"', `    matrix: { n: [${values}] }\n`)}`;
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    const [p] = problemsOf(yaml);
    const ms = performance.now() - started;
    const grown = process.memoryUsage().heapUsed - heapBefore;
    expect(p).toMatchObject({ kind: 'bound', line: 8, message: 'the manifest has more than 200,000 YAML nodes' });
    expect(ms).toBeLessThan(5_000); // about 0.3 s; building the document would take several seconds and ~1 GB
    expect(grown).toBeLessThan(300 * 1024 * 1024);
  });

  it('a bound anywhere in the text is the only problem, even after a syntax error or a second document', () => {
    const many = `x: [${Array.from({ length: 50 }, (_, i) => i).join(', ')}]\n`;
    const bound = { kind: 'bound', message: 'the manifest has more than 40 YAML nodes' };
    // The parser stops at the second document; the scan still reads the third.
    expect(problemsOf(`${HEAD}${entry('abc')}---\na: 1\n---\n${many}`, { maxNodes: 40 })).toEqual([
      expect.objectContaining({ ...bound, line: 11 }),
    ]);
    expect(problemsOf(`${HEAD}${entry('abc')}  bad: [\n${many}`, { maxNodes: 40 })).toEqual([
      expect.objectContaining(bound),
    ]);
    // Without the bound, the same texts have their syntax problems.
    expect(problemsOf(`${HEAD}${entry('abc')}---\na: 1\n---\n${many}`)[0]).toMatchObject({ kind: 'syntax' });
  });

  it('nesting: flow nesting is caught by the token scan, block nesting after parsing', () => {
    expect(problemsOf(withDetail(`{ a: ${'['.repeat(70)}${']'.repeat(70)} }`))[0].message).toBe(
      'YAML nesting is deeper than 64 levels',
    );
    let block = 'detail:\n';
    for (let d = 0; d < 70; d++) block += `${'  '.repeat(d + 3)}k${d}:\n`;
    const yaml = `${HEAD}${entry('deep').replace('detail: { a: 1 }\n', () => `${block.trimEnd()} 1\n`)}`;
    expect(problemsOf(yaml)[0]).toMatchObject({ kind: 'bound', message: 'YAML nesting is deeper than 64 levels' });
    expect(compile(withDetail(`{ a: ${'['.repeat(50)}${']'.repeat(50)} }`)).problems).toEqual([]);
  });

  it('a nesting deeper than the parser can take never throws', () => {
    const r = compile(withDetail(`{ a: ${'['.repeat(200_000)}${']'.repeat(200_000)} }`), {
      maxDepth: 1e9,
      maxNodes: 1e9,
      maxBytes: 1e9,
    });
    expect(r.manifest).toBeUndefined();
    expect(['bound', 'syntax']).toContain(r.problems[0].kind);
  });

  it('aliases: a "billion laughs" document is refused, a few shared anchors are fine', () => {
    let bomb = 'version: 1\nvars:\n  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n';
    for (let i = 1; i < 9; i++)
      bomb += `  a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(', ')}]\n`;
    const [p] = problemsOf(`${bomb}tasks:\n${entry('abc')}`);
    expect(p).toMatchObject({ kind: 'bound', line: 4, message: expect.stringContaining('aliases expand too much') });
    const shared = `version: 1\nvars:\n  cols: &cols [a, b]\n  again: *cols\ntasks:\n${entry('abc')}`;
    expect(compile(shared).problems).toEqual([]);
  });

  it('numbers JSON cannot hold exactly are refused', () => {
    expect(
      problemsOf(withDetail('{ big: 12345678901234567890, inf: .inf }'))
        .map((p) => p.message)
        .sort(),
    ).toEqual([
      '.inf is not a number JSON can hold',
      'the integer 12345678901234567890 is too large to be kept exactly (more than 2^53)',
    ]);
  });
});

describe('expansion bounds, checked before anything is expanded', () => {
  it('the task count is the product of matrix sizes, refused above maxTasks without expanding', () => {
    const dim = Array.from({ length: 100 }, (_, i) => i).join(', ');
    const started = performance.now();
    const [p] = problemsOf(
      `${HEAD}${entry('"t-${a}-${b}-${c}"', `    matrix: { a: [${dim}], b: [${dim}], c: [${dim}] }\n`)}`,
    );
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(p).toMatchObject({
      kind: 'bound',
      line: 3,
      message: expect.stringContaining('expands to 1,000,000 tasks; at most 10,000 are allowed'),
    });
    expect(p.message).toContain('100 × 100 × 100');
  });
  it('maxTasks is configurable', () => {
    expect(problemsOf(`${HEAD}${entry('"t-${a}"', '    matrix: { a: [1, 2, 3] }\n')}`, { maxTasks: 2 })[0].kind).toBe(
      'bound',
    );
  });
});

describe('rendering bounds', () => {
  it('task_detail larger than maxDetailBytes', () => {
    const [p] = problemsOf(withDetail(`{ text: "${'x'.repeat(3000)}" }`), { maxDetailBytes: 2000 });
    expect(p).toMatchObject({ kind: 'bound', message: 'task_detail is 3,011 bytes; at most 2,000 are allowed' });
  });
  it('counts bytes, not characters', () => {
    expect(problemsOf(withDetail(`{ text: "${'é'.repeat(600)}" }`), { maxDetailBytes: 1000 })[0].message).toContain(
      '1,211 bytes',
    );
  });
  it('range() is bounded; a range within the bound is fine', () => {
    expect(problemsOf(withDetail('{ ids: { $eval: "range(0, 20000)" } }'))[0]).toMatchObject({
      kind: 'bound',
      line: 7,
      message: expect.stringContaining('range(0, 20000) would make 20,000 items'),
    });
    expect(tasksOf(withDetail('{ n: { $eval: "len(range(0, 10000))" } }'))[0].task_detail).toBe('{"n":10000}');
    expect(problemsOf(withDetail('{ ids: { $eval: "range(0, 10, 0)" } }'))[0].message).toContain('endless');
  });
  it('join() is bounded before it builds its string', () => {
    const p = problemsOf(withDetail(`{ s: "\${join(range(0, 10000), '${'-'.repeat(200)}')}" }`));
    expect(p[0]).toMatchObject({
      kind: 'bound',
      message: expect.stringContaining('join() would make a string longer than'),
    });
  });
  it('a string doubled by $reduce is stopped', () => {
    const p = problemsOf(
      withDetail('{ s: { $reduce: { $eval: "range(0, 40)" }, initial: xx, "each(a, x)": { $eval: "a + a" } } }'),
      { maxRenderMs: 2000 },
    );
    expect(p[0].kind).toBe('bound');
  });
  it('a structure doubled by $reduce and serialised by $json is stopped by the time budget', () => {
    const started = performance.now();
    const p = problemsOf(
      withDetail(
        '{ s: { $json: { $reduce: { $eval: "range(0, 60)" }, initial: [1], "each(a, x)": { $eval: "[a, a]" } } } }',
      ),
      { maxRenderMs: 300 },
    );
    expect(p[0]).toMatchObject({ kind: 'bound', message: 'rendering took longer than 300 ms' });
    expect(performance.now() - started).toBeLessThan(5_000);
  });
  it('nested $map over large ranges is stopped by the time budget', () => {
    const p = problemsOf(
      withDetail(
        '{ cells: { $map: { $eval: "range(0, 10000)" }, "each(x)": { $map: { $eval: "range(0, 10000)" }, "each(y)": "${x}-${y}" } } }',
      ),
      { maxRenderMs: 200 },
    );
    expect(p[0]).toMatchObject({ kind: 'bound', message: 'rendering took longer than 200 ms', taskName: 'bounded' });
  });
  it('a rendered value far over the bound is stopped even where no single string is large', () => {
    const p = problemsOf(
      withDetail(
        '{ cells: { $map: { $eval: "range(0, 2000)" }, "each(x)": { $map: { $eval: "range(0, 30)" }, "each(y)": "${x}-${y}" } } }',
      ),
      { maxDetailBytes: 100_000, maxRenderMs: 5_000 },
    );
    expect(p[0].kind).toBe('bound');
  });
});
