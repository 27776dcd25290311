/**
 * YAML syntax errors at the line of the cause, in the manifest's words (#11.9): a key indented too far
 * or not far enough is one problem on its own line, not a cascade on the lines around it; a tab used
 * for indentation is one problem, not a train of the parser's follow-on errors.
 */
import { describe, expect, it } from 'vitest';
import { TEMPLATE_HEAD, runCli, tempDir, writeManifest } from '../../helpers/cli.js';

const HEAD = TEMPLATE_HEAD;

describe('YAML syntax errors', () => {
  it.each([
    [
      'a key indented too far',
      `${HEAD}  - name: a-task\n    template: t\n     vars: { x: 1 }\n  - name: b-task\n    template: t\n`,
      12,
      /"vars" is indented to column 6, deeper than "template" on line 11 \(column 5\)/,
    ],
    [
      'a key not indented far enough, in a task entry',
      `${HEAD}  - name: a-task\n    template: t\n   vars: { x: 1 }\n  - name: b-task\n    template: t\n`,
      12,
      /"vars" is indented to column 4; the keys around it start at column 5/,
    ],
    [
      'a key not indented far enough, in a detail',
      `${HEAD}  - name: a-task\n    template: t\n    detail:\n      a: 1\n     b: 2\n      c: 3\n`,
      14,
      /"b" is indented to column 6; the keys around it start at column 7/,
    ],
    [
      'a tab as indentation',
      `${HEAD}  - name: a-task\n\ttemplate: t\n  - name: b-task\n    template: t\n`,
      11,
      /a tab indents this line; YAML indents with spaces only/,
    ],
  ])('%s: one problem, at its line', async (_what, text, line, message) => {
    const file = await writeManifest(await tempDir('fdi-yaml-'), 'm.yaml', text);
    const res = await runCli(['validate', file]);
    expect(res.code).toBe(2);
    const located = res.stderr.split('\n').filter((l) => l.startsWith(`${file}:`) && /^:\d/.test(l.slice(file.length)));
    expect(located, res.stderr).toHaveLength(1);
    expect(located[0]).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:${line}:\\d+: `));
    expect(located[0]).toMatch(message);
    expect(res.stderr).not.toMatch(/stringKeys|compact mappings|implicit keys/);
  });
});
