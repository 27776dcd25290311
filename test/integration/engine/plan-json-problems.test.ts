/**
 * `plan --json` gives the plan's `problems` as data (#11.6): each wrong data-source name once, at the
 * line and column of the name in the manifest, with "did you mean", the names that exist as a hint, and
 * the tasks it makes invalid; the invalid entries carry their own problem; exit 2, nothing written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index.js';
import type { Plan } from '../../../lib/plan/types.js';
import { runCli, tempDir, writeManifest } from '../../helpers/cli.js';

/**
 * A misspelt target name in a template (line 8, column 13) that three tasks of a matrix share, a
 * misspelt source name on one task (line 17, column 32), and one task that resolves.
 */
const MANIFEST = `version: 1
target: { project_id: local-project, instance_id: local-instance }
templates:
  t:
    task_type: REALTIME
    source_datasource: 30969b205e8f4392a25fb321112d1753
    target_datasource:
      name: oracle_cdc
    detail: { x: 1 }
tasks:
  - name: "w-\${n}"
    template: t
    matrix: { n: [a1, a2, a3] }
  - name: w-b1
    template: t
    target_datasource: { name: oracle-cdc }
    source_datasource: { name: crm-apj }
  - name: w-ok
    template: t
    target_datasource: { name: oracle-cdc }
`;

const HINT = /^the data sources of instance local-instance are: .*"crm-api".*"oracle-cdc"/;

describe('plan --json: the problems of a plan', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({});
  });
  afterAll(() => emu.close());

  it('each wrong name once, located, with a suggestion, a hint and the tasks it concerns', async () => {
    const file = await writeManifest(await tempDir('fdi-plan-json-'), 'ds.yaml', MANIFEST);
    const res = await runCli(['plan', file, '--json'], {
      env: { FDI_ENDPOINT: emu.url, FDI_AUTH_TOKEN: 'local-token', LOG_LEVEL: 'silent' },
    });

    expect(res.code, res.stderr).toBe(2);
    const out = JSON.parse(res.stdout) as Omit<Plan, 'entries'> & {
      entries: Array<Plan['entries'][number]>;
      requests: number;
    };
    expect(out.problems).toEqual([
      {
        message: expect.stringMatching(
          /^target data source "oracle_cdc" was not found in instance local-instance; did you mean "oracle-cdc"\?/,
        ),
        hint: expect.stringMatching(HINT),
        line: 8,
        column: 13,
        tasks: ['w-a1', 'w-a2', 'w-a3'],
      },
      {
        message: expect.stringMatching(
          /^source data source "crm-apj" was not found in instance local-instance; did you mean "crm-api"\?/,
        ),
        hint: expect.stringMatching(HINT),
        line: 17,
        column: 32,
        tasks: ['w-b1'],
      },
    ]);

    // Each invalid entry carries its own problem; the resolvable task is still planned.
    expect(out.entries.map((e) => [e.name, e.action])).toEqual([
      ['w-a1', 'invalid'],
      ['w-a2', 'invalid'],
      ['w-a3', 'invalid'],
      ['w-b1', 'invalid'],
      ['w-ok', 'create'],
    ]);
    for (const e of out.entries.slice(0, 3)) {
      expect(e.problems).toEqual([
        {
          message: expect.stringMatching(/did you mean "oracle-cdc"\?$/),
          hint: expect.stringMatching(HINT),
          line: 8,
          column: 13,
        },
      ]);
    }
    expect(out.entries[3].problems).toEqual([
      {
        message: expect.stringMatching(/did you mean "crm-api"\?$/),
        hint: expect.stringMatching(HINT),
        line: 17,
        column: 32,
      },
    ]);
    expect(out.entries[4].problems).toBeUndefined();
    expect(out.blockers).toEqual([expect.stringMatching(/^4 task\(s\) are invalid: /)]);

    // Only the listings were read: one of tasks, one of data sources; nothing created.
    expect(out.requests).toBe(2);
    expect(emu.stats().createAttempts).toEqual({});
    // The same problems on stderr for a person: each located line once.
    const lines = res.stderr.split('\n');
    expect(lines.filter((l) => l.includes(`${file}:8:13: target data source "oracle_cdc"`))).toHaveLength(1);
    expect(lines.filter((l) => l.includes(`${file}:17:32: source data source "crm-apj"`))).toHaveLength(1);
  });
});
