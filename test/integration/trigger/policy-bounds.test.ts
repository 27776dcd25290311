/**
 * A manifest cannot raise a bound of the operator's policy (docs/SECURITY.md), wherever it sets its
 * options: each option of its `options` block, options made by a YAML alias or merge key, its number
 * of tasks, and a failed.yaml's options; refused through the handler with nothing sent. What the
 * operator configures and what command-line flags ask is lowered to the bounds instead, and the command
 * line holds an s3:// manifest to the same policy as the function (and warns when there is none).
 */
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../../lib/report/types.js';
import { bulkManifest, runCli } from '../../helpers/cli.js';
import { useLocalStack } from '../../helpers/local-stack.js';
import { requestsAnswered } from '../../helpers/emulator.js';
import { getReport, upload } from '../../helpers/stack.js';

const POLICY = `version: 1
rules:
  - prefix: manifests/bounded/
    projects: ["*"]
    instances: ["*"]
    update: true
    max_tasks: 6
    max_rate: 5
    max_concurrency: 2
    max_attempts: 3
`;

/** The small manifest with `head` after its first line (options, vars …). */
function manifest(head: string, n = 2): string {
  return bulkManifest(n, { prefix: 'bnd', extra: head });
}

const RAISES: Array<[string, string, RegExp, number | undefined]> = [
  ['options.rate', 'options: { rate: 50 }', /^options\.rate is 50, above the 5 that rule "manifests\/bounded\/"/, 3],
  [
    'options.concurrency',
    'options:\n  on_exists: update\n  concurrency: 8',
    /^options\.concurrency is 8, above the 2 that rule/,
    5,
  ],
  ['options.max_attempts', 'options: { max_attempts: 10 }', /^options\.max_attempts is 10, above the 3 that rule/, 3],
  [
    'options made by an alias',
    'vars: { fast: &fast { rate: 100 } }\noptions: *fast',
    /^options\.rate is 100, above the 5/,
    3, // where the aliased value is written
  ],
  [
    'options made by a merge key',
    'vars: { base: &base { concurrency: 64 } }\noptions:\n  <<: *base\n  on_exists: skip',
    /^options\.concurrency is 64, above the 2/,
    undefined,
  ],
  [
    "a failed.yaml's options",
    'retry_of: { manifest: "s3://b/manifests/bounded/w.yaml", run_id: "20261129T000000Z-abcdef", path: bounded/a-failed-yaml-s-options }\noptions: { rate: 20, on_exists: skip }',
    /^options\.rate is 20, above the 5/,
    4,
  ],
];

describe('bounds of the operator policy that a manifest cannot raise', () => {
  const fx = useLocalStack('fdi-policy-bounds-', { env: { FDI_POLICY: POLICY } });

  async function uploaded(key: string, text: string): Promise<Report> {
    const { stack } = fx;
    await upload(stack, key, text);
    await stack.idle();
    return getReport(stack, `reports/${key.replace(/^manifests\//, '').replace(/\.yaml$/, '')}/latest.json`);
  }

  it.each(RAISES)(
    '%s above the bound is refused through the handler, with nothing sent',
    async (_, head, error, line) => {
      const { stack } = fx;
      const before = requestsAnswered(stack.emulator);
      const report = await uploaded(`manifests/bounded/${_.replace(/\W+/g, '-')}.yaml`, manifest(head));
      expect(report.status).toBe('rejected');
      expect(requestsAnswered(stack.emulator)).toBe(before);
      expect(report.errors).toHaveLength(1);
      expect(report.errors[0]!.message).toMatch(error);
      if (line !== undefined) expect(report.errors[0]!.line).toBe(line);
      expect(report.errors[0]!.hint).toMatch(/^lower options\.\w+ to \d+ or leave it out/);
    },
  );

  it('more tasks than max_tasks are refused; as many as the bound run', async () => {
    const over = await uploaded('manifests/bounded/many.yaml', manifest('', 7));
    expect(over.status).toBe('rejected');
    expect(over.errors[0]!.message).toMatch(
      /^the manifest has 7 tasks, more than the 6 per manifest that rule "manifests\/bounded\/" .* allows \(max_tasks\)$/,
    );
    const atBound = await uploaded('manifests/bounded/six.yaml', manifest('options: { rate: 5 }', 6));
    expect(atBound.status, atBound.reason).toBe('succeeded');
    expect(atBound.policy).toMatchObject({ origin: 'FDI_POLICY', rule: 'manifests/bounded/' });
  });

  it('the command line holds an s3:// manifest to the policy: configured limits and flags are lowered to the bounds', async () => {
    const { stack } = fx;
    await upload(stack, 'manifests/bounded/cli.yaml', manifest(''));
    await stack.idle();
    const env = { ...stack.env, ...S3_KEYS, FDI_POLICY: POLICY, FDI_RATE: '100', LOG_LEVEL: 'info' };
    const uri = `s3://${stack.bucket}/manifests/bounded/cli.yaml`;
    const applied = await runCli(['apply', uri, '--concurrency', '16', '--max-attempts', '9'], { env });
    expect(applied.code, applied.stderr).toBe(0);
    const provisioning = applied.stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === 'provisioning');
    expect(provisioning).toMatchObject({ rate: 5, concurrency: 2, maxAttempts: 3 });
    // Who ran it: the local user and host, in the report and in every JSON log line.
    const me = { via: 'cli', user: os.userInfo().username, host: os.hostname() };
    expect(provisioning?.requested_by).toEqual(me);
    const report = await getReport(stack, 'reports/bounded/cli/latest.json');
    expect(report.requested_by).toEqual(me);
    expect(report.policy).toEqual({ origin: 'FDI_POLICY', rule: 'manifests/bounded/' });
    expect(applied.stderr).not.toMatch(/no operator policy is set/);

    // A manifest that raises a bound: plan says so, exit 2, nothing sent.
    await upload(stack, 'manifests/bounded/cli-fast.yaml', manifest('options: { rate: 50 }'));
    const before = requestsAnswered(stack.emulator);
    const plan = await runCli(['plan', `s3://${stack.bucket}/manifests/bounded/cli-fast.yaml`], { env });
    expect(plan.code).toBe(2);
    expect(plan.stderr).toMatch(
      /cli-fast\.yaml:3:\d+: options\.rate is 50, above the 5 that rule "manifests\/bounded\/"/,
    );
    expect(requestsAnswered(stack.emulator)).toBe(before);
  });

  it('the command line warns once when a bucket manifest runs without any policy, and not for a local file', async () => {
    const { stack } = fx;
    const env = { ...stack.env, ...S3_KEYS, FDI_POLICY: undefined };
    const plan = await runCli(['plan', `s3://${stack.bucket}/manifests/bounded/cli.yaml`], { env });
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stderr.match(/warning: no operator policy is set/g)).toHaveLength(1);
    const local = await runCli(['plan', 'manifests/examples/api-to-db.yaml'], { env });
    expect(local.stderr).not.toMatch(/no operator policy/);
  });
});

const S3_KEYS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };
