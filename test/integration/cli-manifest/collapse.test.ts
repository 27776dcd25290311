/**
 * The same mistake in every task of an entry is one problem (#11.10): a name with a space in a
 * 20-task matrix is listed once, "(the same in 19 more tasks of this entry)", not 20 times.
 */
import { describe, expect, it } from 'vitest';
import { TEMPLATE_HEAD, runCli, tempDir, writeManifest } from '../../helpers/cli.js';

const TABLES = Array.from({ length: 20 }, (_, i) => `T${i + 1}`).join(', ');
const MANIFEST = `${TEMPLATE_HEAD}  - name: "crm \${table}"
    template: t
    matrix: { table: [${TABLES}] }
  - name: "ok-\${table}"
    template: t
    matrix: { table: [A, B] }
`;

describe('identical problems collapsed', () => {
  it('a bad name in a 20-task matrix: one problem, the 19 others counted', async () => {
    const file = await writeManifest(await tempDir('fdi-collapse-'), 'spaces.yaml', MANIFEST);
    const res = await runCli(['validate', file]);
    expect(res.code).toBe(2);
    const located = res.stderr.split('\n').filter((l) => l.startsWith(`${file}:`) && /^:\d/.test(l.slice(file.length)));
    expect(located).toHaveLength(1);
    expect(located[0]).toMatch(
      /:10:\d+: task #0 "crm T1": task name "crm T1" must start with a letter or digit .*\(the same in 19 more tasks of this entry\)/,
    );
    expect(res.stderr).toMatch(/1 problem; nothing would be sent/);
    const json = JSON.parse((await runCli(['validate', file, '--json'])).stdout) as {
      problems: Array<{ repeats?: number }>;
    };
    expect(json.problems).toHaveLength(1);
    expect(json.problems[0].repeats).toBe(19);
  });
});
