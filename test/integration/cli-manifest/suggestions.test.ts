/**
 * A misspelt variable is blamed where it is more likely wrong (#11.7): a task's own `vars: {src_schem}`
 * against a template that reads `src_schema`, which other tasks set, points at the task's key,
 * suggesting the template's name; it does not ask to change the template to the typo. (A variable no
 * task sets is the template's typo: test/unit/manifest/compile.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { runCli, tempDir, writeManifest } from '../../helpers/cli.js';

const MANIFEST = `version: 1
target: { project_id: p, instance_id: i }
templates:
  t:
    task_type: REALTIME
    source_datasource: s1
    target_datasource: s2
    detail:
      targetSelectedDatasource: { targetTable: "\${src_schema}.ORDERS" }
tasks:
  - name: orders-a
    template: t
    vars: { src_schem: HR }
  - name: orders-b
    template: t
    vars: { src_schema: FIN }
  - name: orders-c
    template: t
    vars: { other: X }
`;

describe('variable suggestions', () => {
  it("a typo in a task's own vars is reported at that key, suggesting the template's variable", async () => {
    const file = await writeManifest(await tempDir('fdi-suggest-'), 'vars.yaml', MANIFEST);
    const res = await runCli(['validate', file]);
    expect(res.code).toBe(2);
    // The task with the near miss: at its vars key (line 13), the template's spelling suggested.
    expect(res.stderr).toMatch(
      /vars\.yaml:13:\d+: task #0 "orders-a": variable "src_schem" in this task's vars is never read; the template reads "src_schema", which is not set: did you mean "src_schema"\?/,
    );
    expect(res.stderr).not.toMatch(/did you mean "src_schem"\?/);
    // orders-b spells it as the template does; orders-c has no near miss: the plain message at the template.
    expect(res.stderr).not.toMatch(/orders-b/);
    expect(res.stderr).toMatch(/vars\.yaml:9:\d+: task #2 "orders-c": undefined variable "src_schema" in detail/);
  });
});
