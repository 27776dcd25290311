import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';

interface BadCase {
  file: string;
  what: string;
  kind: string;
  line?: number;
  message: string;
}

const DIR = 'test/fixtures/bad';
const cases = parse(readFileSync(`${DIR}/cases.yaml`, 'utf8')) as BadCase[];

describe('the corpus of bad manifests', () => {
  it('covers every kind of problem with at least 30 files', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    expect(new Set(cases.map((c) => c.kind))).toEqual(
      new Set(['syntax', 'schema', 'template', 'constraint', 'bound', 'encoding']),
    );
  });
});

describe.concurrent('fdi-provision validate <bad manifest>', () => {
  it.each(cases)('$file: $what', async (c) => {
    const file = `${DIR}/${c.file}`;
    const { code, stdout, stderr } = await runCli(['validate', file]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).not.toMatch(/^\s+at /m); // no stack trace
    expect(stderr).not.toContain('internal error');
    const where = c.line === undefined ? `${file}: ` : `${file}:${c.line}:`;
    const line = stderr.split('\n').find((l) => l.startsWith(where) && l.includes(c.message));
    expect(line, `no problem at ${where} with "${c.message}" in:\n${stderr}`).toBeDefined();
  });
});

describe('the problems as data', () => {
  it.each(cases)('$file has a $kind problem at the expected line', async (c) => {
    const { compileSource } = await import('../../../lib/manifest/index.js');
    const { readManifest } = await import('../../../lib/storage/manifest-reader.js');
    const { manifest, problems } = compileSource(
      await readManifest(`${DIR}/${c.file}`, { forcePathStyle: true, region: 'us-east-1' }),
    );
    expect(manifest).toBeUndefined();
    expect(
      problems.some((p) => p.kind === c.kind && p.line === c.line && p.message.includes(c.message)),
      JSON.stringify(problems, null, 1),
    ).toBe(true);
  });
});
