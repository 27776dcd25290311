/**
 * Hostile inputs through the compiled CLI, as an attacker or a broken generator would hand them over:
 * huge files, alias bombs, deep nesting, million-value and million-combination matrices, runaway
 * json-e, prototype keys, control / bidi / zero-width characters, NUL bytes, binary and UTF-16.
 *
 * Each is rejected by `validate` and by `apply` (which then sends nothing and still writes a rejected
 * report): exit 2, a located message naming the problem, no stack trace, no raw control character in
 * the output, little CPU time and bounded memory, measured in the child itself. The small inputs are
 * files in test/fixtures/hostile/ (each says what it expects in its first lines); the big ones are
 * generated here. The bad-manifest corpus (test/fixtures/bad/) is tested in test/integration/cli-manifest.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { ROOT, latestLocalReport, tempDir } from '../helpers/cli.js';
import { STACK_TRACE, expectExactlyOnce } from './helpers.js';
import { runCliMeasured, type MeasuredRun } from './process.js';

const FIXTURES = path.join(ROOT, 'test/fixtures/hostile');
/** CPU time a rejection may take (the slowest, the json-e time budget, takes about 1.1 s). */
const MAX_CPU_MS = 5_000;
/** Wall time, generous: the suite runs in parallel with others on two cores. */
const MAX_WALL_MS = 20_000;
const MAX_RSS_MIB = 300;
/** C0 controls other than TAB and LF, and DEL: never written raw to a terminal. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/;

const HEAD = [
  'version: 1',
  'target: { project_id: local-project, instance_id: local-instance }',
  'templates:',
  '  t:',
  '    task_type: REALTIME',
  '    source_datasource: 30969b205e8f4392a25fb321112d1753',
  '    target_datasource: { name: oracle-cdc }',
  '    detail: { targetSelectedDatasource: { targetTable: CDC.T } }',
  'tasks:',
  '',
].join('\n');
const MiB = 1024 * 1024;
const count = (n: number, f: (i: number) => string, sep = ', ') => Array.from({ length: n }, (_, i) => f(i)).join(sep);

interface Case {
  /** A fixture file name, or the name of the generated file. */
  file: string;
  what: string;
  /** The line the problem must be reported at, when it has one. */
  line?: number;
  /** The message that must appear on that `file:line:` line of stderr, and in the report's errors. */
  message: RegExp;
  generate?: () => string | Buffer;
  /** Also through `apply` (one or two cases of each kind: the rejection happens before the engine starts). */
  apply?: true;
}

const FIXTURE_CASES: Case[] = [
  {
    file: 'alias-bomb-maps.yaml',
    apply: true,
    what: '"billion laughs" of mappings (4^11 copies)',
    line: 6,
    message: /YAML aliases expand too much/,
  },
  {
    file: 'matrix-six-small-dimensions.yaml',
    apply: true,
    what: 'six dimensions of ten: 10^6 tasks',
    line: 12,
    message: /the manifest expands to 1,000,000 tasks; at most 10,000 are allowed/,
  },
  {
    file: 'matrix-64-dimensions.yaml',
    what: '64 dimensions of two: 2^64 tasks',
    line: 12,
    message: /the manifest expands to 18,446,744,073,709,552,000 tasks; at most 10,000/,
  },
  {
    file: 'jsone-range-billion.yaml',
    apply: true,
    what: 'range() over a billion items',
    line: 14,
    message: /range\(0, 1000000000\) would make 1,000,000,000 items/,
  },
  {
    file: 'jsone-reduce-doubling.yaml',
    what: 'a string doubled 64 times',
    line: 12,
    message: /the template makes a value too large/,
  },
  {
    file: 'jsone-reduce-structure.yaml',
    what: 'a structure doubled 60 times, serialised',
    line: 12,
    message: /rendering took longer than 1000 ms/,
  },
  {
    file: 'jsone-nested-map.yaml',
    apply: true,
    what: 'nested $map of 10^8 cells',
    line: 12,
    message: /rendering took longer than 1000 ms/,
  },
  {
    file: 'jsone-self-reference.yaml',
    what: 'vars holding the task itself, evaluated',
    line: 12,
    message: /the alias \*self is inside the anchor &self it refers to/,
  },
  {
    file: 'proto-vars.yaml',
    apply: true,
    what: '__proto__ as a variable',
    line: 12,
    message: /variable name "__proto__" is not allowed/,
  },
  {
    file: 'proto-vars-constructor.yaml',
    what: 'constructor as a task variable',
    line: 14,
    message: /key "constructor" in tasks\[0\]\.vars/,
  },
  {
    file: 'proto-matrix-key.yaml',
    what: '__proto__ as a matrix variable',
    line: 14,
    message: /matrix variable name "__proto__" is not allowed/,
  },
  {
    file: 'proto-template-names.yaml',
    what: 'templates named toString, constructor, __proto__',
    line: 13,
    message: /unknown template "constructor"/,
  },
  { file: 'proto-eval.yaml', what: '$eval of __proto__', line: 14, message: /undefined variable "__proto__"/ },
  {
    file: 'proto-task-name.yaml',
    what: 'a task named __proto__',
    line: 12,
    message: /task name "__proto__" must start with a letter or digit/,
  },
  {
    file: 'name-escape-sequence.yaml',
    apply: true,
    what: 'terminal escapes in a name',
    line: 12,
    message: /task name "abc\\u001b\[2J\\u001b\[31mred" must start with a letter or digit/,
  },
  {
    file: 'key-escape-sequence.yaml',
    what: 'a terminal escape in a key',
    line: 12,
    message: /unknown key "task\\u001b\[31m_tag" in tasks\[0\]/,
  },
  {
    file: 'name-nul.yaml',
    what: 'a NUL character in a name',
    line: 12,
    message: /task name "abc\\u0000def" must start with a letter or digit/,
  },
  {
    file: 'name-rtl-override.yaml',
    what: 'a right-to-left override in a name',
    line: 12,
    message: /must start with a letter or digit and contain only letters, digits/,
  },
  {
    file: 'name-rtl-raw.yaml',
    what: 'a raw right-to-left override in the file',
    line: 12,
    message: /must start with a letter or digit and contain only letters, digits/,
  },
  {
    file: 'name-zero-width.yaml',
    what: 'a zero-width space in a name',
    line: 12,
    message: /must start with a letter or digit and contain only letters, digits/,
  },
];

const GENERATED_CASES: Case[] = [
  {
    file: 'huge-lines.yaml',
    apply: true,
    what: '48 MiB of lines',
    message: /the manifest is 48\.\d MiB; at most 4 MiB are accepted/,
    generate: () => `${HEAD}  - { name: abc, template: t }\n${`# ${'x'.repeat(98)}\n`.repeat(500_000)}`,
  },
  {
    file: 'huge-one-line.yaml',
    what: 'a 48 MiB line',
    message: /the manifest is 4\d\.\d MiB; at most 4 MiB are accepted/,
    generate: () => `${HEAD}  - { name: abc, template: t, description: "${'x'.repeat(50 * 1000 * 1000)}" }\n`,
  },
  {
    file: 'one-byte-over.yaml',
    apply: true,
    what: 'one byte over 4 MiB',
    message: /the manifest is 4\.0 MiB; at most 4 MiB are accepted/,
    generate: () => {
      const text = `${HEAD}  - { name: abc, template: t }\n#`;
      return text + 'x'.repeat(4 * MiB + 1 - Buffer.byteLength(text));
    },
  },
  {
    file: 'deep-flow-sequences.yaml',
    apply: true,
    what: 'a million nested flow sequences',
    line: 10,
    message: /YAML nesting is deeper than 64 levels/,
    generate: () =>
      `${HEAD}  - { name: abc, template: t, detail: { a: ${'['.repeat(1_000_000)}${']'.repeat(1_000_000)} } }\n`,
  },
  {
    file: 'deep-flow-maps.yaml',
    what: '300,000 nested flow mappings',
    line: 10,
    message: /YAML nesting is deeper than 64 levels/,
    generate: () => `${HEAD}  - { name: abc, template: t, detail: ${'{a: '.repeat(300_000)}1${'}'.repeat(300_000)} }\n`,
  },
  {
    file: 'deep-block.yaml',
    what: '500 nested block mappings',
    line: 74,
    message: /YAML nesting is deeper than 64 levels/,
    generate: () =>
      `${HEAD}  - name: abc\n    template: t\n    detail:\n${count(500, (d) => `${' '.repeat(d + 6)}k${d}:`, '\n')}\n${' '.repeat(506)}x: 1\n`,
  },
  {
    file: 'matrix-million-values.yaml',
    apply: true,
    what: 'a matrix of 1,000,000 values',
    line: 12,
    message: /the manifest has more than 200,000 YAML nodes/,
    generate: () =>
      `${HEAD}  - name: "t-\${n}"\n    template: t\n    matrix: { n: [${count(1_000_000, (i) => String(i % 10), ',')}] }\n`,
  },
  {
    file: 'many-keys.yaml',
    what: 'a detail of 150,000 keys',
    line: 12,
    message: /the manifest has more than 200,000 YAML nodes/,
    generate: () => `${HEAD}  - name: abc\n    template: t\n    detail: { ${count(150_000, (i) => `k${i}: 1`)} }\n`,
  },
  {
    file: 'matrix-across-entries.yaml',
    what: '200 entries of 100 combinations each',
    line: 10,
    message: /the manifest expands to 20,000 tasks; at most 10,000 are allowed/,
    generate: () =>
      HEAD +
      count(
        200,
        (j) =>
          `  - name: "e${j}-\${a}-\${b}"\n    template: t\n    matrix: { a: [${count(10, String)}], b: [${count(10, String)}] }\n`,
        '',
      ),
  },
  {
    file: 'matrix-include-bomb.yaml',
    what: 'a matrix include of 20,000 combinations',
    line: 10,
    message: /the manifest expands to 20,001 tasks; at most 10,000 are allowed/,
    generate: () =>
      `${HEAD}  - name: "t-\${a}"\n    template: t\n    matrix: { a: [1], include: [${count(20_000, (i) => `{a: ${i}}`)}] }\n`,
  },
  {
    file: 'binary.yaml',
    apply: true,
    what: '3 MB of binary',
    line: 1,
    message: /the manifest is not valid UTF-8/,
    generate: () => Buffer.from(Array.from({ length: 3_000_000 }, (_, i) => (Math.imul(i, 2654435761) >>> 24) & 0xff)),
  },
  {
    file: 'zeros.yaml',
    what: '3 MB of NUL bytes',
    line: 1,
    message: /the manifest holds a NUL byte/,
    generate: () => Buffer.alloc(3_000_000),
  },
  {
    file: 'nul-after-tasks.yaml',
    apply: true,
    what: 'NUL bytes after a valid manifest',
    line: 11,
    message: /the manifest holds a NUL byte/,
    generate: () => `${HEAD}  - { name: abc, template: t }\n\0\0\0garbage\n`,
  },
  {
    file: 'utf16be-no-bom.yaml',
    what: 'UTF-16 (big endian, no BOM)',
    line: 1,
    message: /the manifest holds a NUL byte/,
    generate: () => Buffer.from(`${HEAD}  - { name: abc, template: t }\n`, 'utf16le').swap16(),
  },
  {
    file: 'utf16le-bom.yaml',
    apply: true,
    what: 'UTF-16 (little endian, with BOM)',
    line: 1,
    message: /the manifest is UTF-16 text; only UTF-8 is accepted/,
    generate: () => Buffer.from(`\ufeff${HEAD}  - { name: abc, template: t }\n`, 'utf16le'),
  },
];

/** The checks every rejection must pass, whatever the command. */
function expectQuickClearRejection(run: MeasuredRun, file: string, c: Case): void {
  expect(run.code, run.stderr.slice(0, 2000)).toBe(2);
  // A problem without a place prints as `file: message`, one with a line as `file:line:column: message`.
  const where = c.line === undefined ? file : `${file}:${c.line}:`;
  const located = run.stderr.split('\n').filter((l) => l.trimStart().startsWith(where));
  expect(
    located.some((l) => c.message.test(l)),
    `no line "${where}… ${c.message}" in:\n${run.stderr.slice(0, 2000)}`,
  ).toBe(true);
  expect(run.stderr).not.toMatch(STACK_TRACE);
  expect(run.stderr).not.toMatch(/internal error/i);
  expect(run.stderr).not.toMatch(RAW_CONTROL);
  expect(run.cpuMs, 'CPU time (ms)').toBeLessThan(MAX_CPU_MS);
  expect(run.ms, 'wall time (ms)').toBeLessThan(MAX_WALL_MS);
  expect(run.peakRssMiB, 'peak RSS (MiB)').toBeLessThan(MAX_RSS_MIB);
}

describe('hostile inputs are rejected quickly, clearly and with bounded memory', () => {
  let emu: Emulator;
  let dir: string;
  const peaks: { file: string; command: string; cpuMs: number; rssMiB: number }[] = [];

  beforeAll(async () => {
    emu = await startEmulator();
    dir = await tempDir('fdi-hostile-');
  });
  afterAll(async () => {
    await emu.close();
    // The figures docs/RELIABILITY.md quotes: the costliest rejections.
    const top = [...peaks].sort((a, b) => b.cpuMs - a.cpuMs).slice(0, 3);
    console.log(
      `hostile inputs: ${peaks.length} runs; max CPU ${top.map((p) => `${p.file} ${p.command} ${p.cpuMs.toFixed(0)} ms`).join(', ')}; max RSS ${Math.max(...peaks.map((p) => p.rssMiB)).toFixed(0)} MiB`,
    );
  });

  // validate and apply of a case run concurrently: the file is written once, before either reads it.
  const files = new Map<string, Promise<string>>();
  function fileFor(c: Case): Promise<string> {
    if (!c.generate) return Promise.resolve(path.join(FIXTURES, c.file));
    const generate = c.generate;
    let file = files.get(c.file);
    if (!file) {
      file = writeFile(path.join(dir, c.file), generate()).then(() => path.join(dir, c.file));
      files.set(c.file, file);
    }
    return file;
  }

  function note(file: string, command: string, run: MeasuredRun): void {
    peaks.push({ file: path.basename(file), command, cpuMs: run.cpuMs ?? NaN, rssMiB: run.peakRssMiB ?? NaN });
  }

  const ALL_CASES = [...FIXTURE_CASES, ...GENERATED_CASES];

  it.concurrent.each(ALL_CASES)(
    'validate $file ($what): exit 2, the problem named at its place, quickly, in bounded memory',
    async (c) => {
      const file = await fileFor(c);
      const run = await runCliMeasured(['validate', file]);
      note(file, 'validate', run);
      expect(run.stdout).toBe('');
      expectQuickClearRejection(run, file, c);
    },
  );

  it.concurrent.each(ALL_CASES.filter((c) => c.apply))(
    'apply $file ($what): exit 2, nothing sent, a rejected report naming the problem',
    async (c) => {
      const file = await fileFor(c);
      const before = emu.stats().requestsTotal;
      const reports = path.join(dir, `reports-${c.file}`);
      const run = await runCliMeasured(['apply', file, '--report', reports], {
        env: { FDI_ENDPOINT: emu.url, FDI_AUTH_TOKEN: 'local-token' },
      });
      note(file, 'apply', run);
      expectQuickClearRejection(run, file, c);
      expect(emu.stats().requestsTotal - before, 'requests sent to FDI').toBe(0);
      const report = await latestLocalReport(reports, file);
      expect(report.status).toBe('rejected');
      expect(report.tasks).toEqual([]);
      expect(
        report.errors.some((e) => c.message.test(e.message) && e.line === c.line),
        JSON.stringify(report.errors).slice(0, 2000),
      ).toBe(true);
    },
  );
});

describe('prototype member names are ordinary data', () => {
  it('tasks named constructor, toString, hasOwnProperty, valueOf, isPrototypeOf are valid and each created once', async () => {
    const emu = await startEmulator();
    try {
      const file = path.join(FIXTURES, 'proto-names-valid.yaml');
      const validate = await runCliMeasured(['validate', file]);
      expect(validate.code, validate.stderr).toBe(0);
      expect(validate.stdout).toMatch(/ok: 5 tasks in 1 instance/);
      const reports = path.join(await tempDir('fdi-hostile-proto-'), 'reports');
      const apply = await runCliMeasured(['apply', file, '--report', reports], {
        env: { FDI_ENDPOINT: emu.url, FDI_AUTH_TOKEN: 'local-token' },
      });
      expect(apply.code, apply.stderr).toBe(0);
      expectExactlyOnce(emu, ['constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf']);
      // Planned again, they are found as existing: the lookup by name is not fooled by Object.prototype.
      const again = await runCliMeasured(['apply', file, '--report', reports], {
        env: { FDI_ENDPOINT: emu.url, FDI_AUTH_TOKEN: 'local-token' },
      });
      expect(again.code, again.stderr).toBe(0);
      const report = await latestLocalReport(reports, file);
      expect(report.counts).toMatchObject({ total: 5, existing: 5, created: 0 });
      expect(emu.stats().tasksStored).toBe(5);
    } finally {
      await emu.close();
    }
  });

  it('__proto__, constructor and prototype keys of a detail are rendered and sent as written, polluting nothing', async () => {
    const file = path.join(FIXTURES, 'proto-detail-keys.yaml');
    const render = await runCliMeasured(['render', file]);
    expect(render.code, render.stderr).toBe(0);
    const body = JSON.parse(render.stdout.trim()) as { task_detail: string };
    expect(body.task_detail).toBe(
      '{"targetSelectedDatasource":{"targetTable":"CDC.T"},"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"x":1}},"prototype":1}',
    );
    const emu = await startEmulator();
    try {
      const reports = path.join(await tempDir('fdi-hostile-proto-'), 'reports');
      const apply = await runCliMeasured(['apply', file, '--report', reports], {
        env: { FDI_ENDPOINT: emu.url, FDI_AUTH_TOKEN: 'local-token' },
      });
      expect(apply.code, apply.stderr).toBe(0);
      const [task] = emu.tasks();
      expect(task.task_name).toBe('proto-detail');
      expect(JSON.stringify(task)).toContain('polluted');
    } finally {
      await emu.close();
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
