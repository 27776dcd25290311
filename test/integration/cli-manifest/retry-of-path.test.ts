/**
 * `retry_of.path` names the report folder a failed.yaml's run writes into, so a manifest must not
 * lead it out of the report layout (docs/MANIFEST.md: "a folder such as team/wave1 (no ..)"). Through
 * the command line: each refused path is one located problem naming the field, exit 2, nothing sent.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, writeManifest } from '../../helpers/cli.js';

/** A valid one-task manifest whose `retry_of.path` is `p` (line 5, column 9). */
const manifest = (p: string) => `version: 1
retry_of:
  manifest: wave1.yaml
  run_id: 20260301T080000Z-abc123
  path: ${JSON.stringify(p)}
target: { project_id: p, instance_id: i }
tasks:
  - name: task-1
    task_type: REALTIME
    source_datasource: s1
    target_datasource: s2
    detail: { x: 1 }
`;

const RULE = 'path is a report folder such as "team/wave1": names separated by "/", no ".."';

describe('retry_of.path', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir('fdi-retry-path-');
  });

  let n = 0;
  const write = (p: string) => writeManifest(dir, `m${n++}.yaml`, manifest(p));

  it('refuses a parent folder: one located line naming the field, exit 2', async () => {
    const file = await write('../x');
    const res = await runCli(['validate', file]);
    expect(res.code, res.stderr).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr.trimEnd().split('\n')).toEqual([
      `${file}:5:9: retry_of.path ${RULE} (got "../x")`,
      `${file}: 1 problem; nothing would be sent`,
    ]);
  });

  it.concurrent.each([
    ['a way up past the root', 'a/../../b'],
    ['..', '..'],
    ['a trailing ..', 'a/..'],
    ['a leading .', './x'],
    ['a . segment', 'a/./b'],
    ['an absolute path', '/abs'],
    ['an empty name between slashes', 'a//b'],
    ['a trailing slash', 'a/'],
    ['a backslash', 'a\\b'],
    ['a control character', 'a/\u0001b'],
  ])('refuses %s (%j): exit 2, the one problem names the field', async (_what, p) => {
    const file = await write(p);
    const res = await runCli(['validate', file, '--json']);
    expect(res.code, res.stderr).toBe(2);
    expect(JSON.parse(res.stdout)).toEqual({
      ok: false,
      file,
      tasks: 0,
      instances: 0,
      problems: [
        {
          kind: 'schema',
          file,
          field: 'retry_of.path',
          line: 5,
          column: 9,
          message: `retry_of.path ${RULE} (got ${JSON.stringify(p)})`,
        },
      ],
    });
  });

  it('plan refuses it too, before reading FDI: a rejected run with the located error', async () => {
    const file = await write('a/../../b');
    // No FDI endpoint is configured: planning would fail on it, so the manifest was refused first.
    const res = await runCli(['plan', file, '--json'], { env: { LOG_LEVEL: 'silent' } });
    expect(res.code, res.stderr).toBe(2);
    expect(JSON.parse(res.stdout)).toEqual({
      status: 'rejected',
      reason: 'the manifest has 1 problem(s); nothing was sent',
      errors: [{ file, line: 5, column: 9, message: `retry_of.path ${RULE} (got "a/../../b")` }],
    });
  });

  it.concurrent.each(['team/wave1', 'wave-1_a.b'])('accepts the folder %j', async (p) => {
    const res = await runCli(['validate', await write(p)]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/^ok: 1 task in 1 instance/);
  });
});
