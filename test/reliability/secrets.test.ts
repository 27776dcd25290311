/**
 * Secrets, across every path: `validate`, `plan` and `apply` through the CLI (environment and the
 * --token flag; local and s3:// manifests and reports), and the upload handler on the local stack
 * (reports, checkpoints and continuations in the bucket, the stores' files on disk). Each with a static
 * token, AK/SK with a security token, and an IAM password; in success and in failure (wrong credentials,
 * an unreachable endpoint, an invalid manifest); with faults and retries, logged at debug level.
 * Every output channel and every file written is scanned for the secrets, their base64 forms, IAM-issued
 * tokens and AK/SK signatures. (test/integration/engine/auth-and-secrets.test.ts covers apply alone.)
 */
import path from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, type FaultKind } from '../../emulator/index.js';
import { createHandler } from '../../handlers/manifest-uploaded.js';
import { startLocalStack, type LocalStack } from '../../local/stack.js';
import { createLogger } from '../../lib/logger.js';
import type { Report } from '../../lib/report/types.js';
import { buildTriggerDeps } from '../../lib/trigger/deps.js';
import { bulkManifest, latestLocalReport, runCli, tempDir, writeManifest, type CliResult } from '../helpers/cli.js';
import { STACK_TRACE } from './helpers.js';
import { allFilesText } from './process.js';
import { getReport, getText, s3Event, upload } from '../helpers/stack.js';

const SECRETS = {
  token: 'tok-REL-SECRET-5e1f0c9a',
  secretKey: 'sk-REL-SECRET-77b2e9d4',
  securityToken: 'st-REL-SECRET-a4d6f1e2',
  password: 'pw-REL-SECRET-31c8b7aa',
};
const AK = 'AK-REL-PUBLIC-0001';
const IAM = { domain: 'rel-domain', user: 'rel-user' };
const FAULTS: Partial<Record<FaultKind, number>> = {
  '500': 0.06,
  '500-after-commit': 0.04,
  '429': 0.05,
  '503': 0.04,
  reset: 0.03,
};

/** What must never appear: the secrets (plain and base64), tokens IAM issued, AK/SK signatures. */
const FORBIDDEN: { label: string; pattern: RegExp }[] = [
  ...Object.entries(SECRETS).flatMap(([k, v]) => [
    { label: k, pattern: new RegExp(v) },
    {
      label: `${k} (base64)`,
      pattern: new RegExp(Buffer.from(v).toString('base64').replace(/=+$/, '').replace(/[+/]/g, '\\$&')),
    },
  ]),
  { label: 'IAM-issued token', pattern: /MII[A-Za-z0-9_-]{60,}/ },
  { label: 'AK/SK signature', pattern: /Signature=[0-9a-f]{16,}/ },
];

function expectNoSecrets(where: string, text: string): void {
  const found = FORBIDDEN.filter((f) => f.pattern.test(text)).map((f) => f.label);
  expect(found, `secrets found in ${where}`).toEqual([]);
}

interface AuthMode {
  name: string;
  env: Record<string, string>;
  /** The same credentials, made wrong. */
  wrong: Record<string, string>;
  args?: string[];
}

function authModes(emulatorUrl: string): AuthMode[] {
  const iam = { FDI_IAM_ENDPOINT: emulatorUrl, FDI_IAM_DOMAIN: IAM.domain, FDI_IAM_USER: IAM.user };
  return [
    {
      name: 'token (environment)',
      env: { FDI_AUTH_TOKEN: SECRETS.token },
      wrong: { FDI_AUTH_TOKEN: `${SECRETS.token}-x` },
    },
    { name: 'token (--token flag)', env: {}, wrong: {}, args: ['--token', SECRETS.token] },
    {
      name: 'AK/SK with a security token',
      env: { FDI_ACCESS_KEY: AK, FDI_SECRET_KEY: SECRETS.secretKey, FDI_SECURITY_TOKEN: SECRETS.securityToken },
      wrong: {
        FDI_ACCESS_KEY: AK,
        FDI_SECRET_KEY: `${SECRETS.secretKey}-x`,
        FDI_SECURITY_TOKEN: SECRETS.securityToken,
      },
    },
    {
      name: 'IAM password',
      env: { ...iam, FDI_IAM_PASSWORD: SECRETS.password },
      wrong: { ...iam, FDI_IAM_PASSWORD: `${SECRETS.password}-x` },
    },
  ];
}

const INVALID_MANIFEST = [
  'version: 1',
  'target: { project_id: local-project, instance_id: local-instance }',
  'tasks:',
  '  - name: "x"',
  '    task_tpe: REALTIME',
  '    detail: { a: { $eval: "nope" } }',
  '',
].join('\n');

describe('no secret in any output of the CLI (validate, plan, apply), at debug level, with faults', () => {
  let emu: Emulator;
  let dir: string;
  beforeAll(async () => {
    emu = await startEmulator({
      tokens: [SECRETS.token],
      aksk: [{ ak: AK, sk: SECRETS.secretKey }],
      iamUsers: [{ ...IAM, password: SECRETS.password }],
      faults: FAULTS,
      seed: 77,
      hangMs: 1000,
    });
    dir = await tempDir('fdi-rel-secrets-');
  });
  afterAll(() => emu.close());

  it.concurrent.each([0, 1, 2, 3])('auth mode %i: success and failure of every command', async (i) => {
    const mode = authModes(emu.url)[i];
    const slug = `m${i}`;
    const base = {
      FDI_ENDPOINT: emu.url,
      LOG_LEVEL: 'debug',
      FDI_RATE: '300',
      FDI_CONCURRENCY: '8',
      FDI_MAX_ATTEMPTS: '12',
      FDI_TIMEOUT_MS: '2000',
    };
    const manifest = await writeManifest(dir, `${slug}.yaml`, bulkManifest(40, { prefix: `sec${slug}` }));
    const invalid = await writeManifest(dir, `${slug}-invalid.yaml`, INVALID_MANIFEST);
    const reports = path.join(dir, `reports-${slug}`);
    const args = mode.args ?? [];
    const runs: [string, CliResult][] = [];
    const run = async (label: string, cmd: string[], env: Record<string, string>) => {
      // validate takes no credentials (it has no network), so no --token either.
      const res = await runCli([...cmd, ...(cmd[0] === 'validate' ? [] : args)], { env: { ...base, ...env } });
      runs.push([label, res]);
      expect(res.stderr, label).not.toMatch(STACK_TRACE);
      return res;
    };

    expect((await run('validate (invalid)', ['validate', invalid], mode.env)).code).toBe(2);
    expect((await run('plan before apply', ['plan', manifest], mode.env)).code).toBe(0);
    const applied = await run('apply with faults', ['apply', manifest, '--report', reports], mode.env);
    expect(applied.code, applied.stderr.slice(-2000)).toBe(0);
    expect((await run('plan after apply', ['plan', manifest, '--json'], mode.env)).code).toBe(0);
    expect((await run('apply of an invalid manifest', ['apply', invalid, '--report', reports], mode.env)).code).toBe(2);
    if (!mode.args) {
      const wrongApply = await run(
        'apply with wrong credentials',
        ['apply', manifest, '--report', `${reports}-wrong`],
        mode.wrong,
      );
      expect(wrongApply.code).toBe(3);
      expect((await run('plan with wrong credentials', ['plan', manifest], mode.wrong)).code).toBe(3);
    }
    const unreachable = await run(
      'apply to an unreachable endpoint',
      ['apply', manifest, '--report', `${reports}-down`],
      { ...mode.env, FDI_ENDPOINT: 'http://127.0.0.1:9', FDI_MAX_ATTEMPTS: '2' },
    );
    expect(unreachable.code).not.toBe(0);

    const report = await latestLocalReport(reports, manifest);
    expect(report.stats.retries, 'the faults caused retries').toBeGreaterThan(0);
    for (const [label, res] of runs)
      expectNoSecrets(`${mode.name}: ${label} (stdout and stderr)`, res.stdout + res.stderr);
    for (const d of [reports, `${reports}-wrong`, `${reports}-down`])
      expectNoSecrets(`${mode.name}: files under ${d}`, await allFilesText(d));
  });
});

describe('no secret in the handler’s logs, the bucket or the stores’ files (local stack)', () => {
  let stack: LocalStack;
  let closed = false;
  let dataDir: string;
  const logs: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void logs.push(line) } });

  beforeAll(async () => {
    dataDir = await tempDir('fdi-rel-secrets-stack-');
    stack = await startLocalStack({
      dataDir,
      logger,
      emulator: {
        tokens: [SECRETS.token],
        aksk: [{ ak: AK, sk: SECRETS.secretKey }],
        iamUsers: [{ ...IAM, password: SECRETS.password }],
        faults: FAULTS,
        seed: 99,
        hangMs: 1000,
      },
      // The stack's own handler signs with AK/SK and a security token.
      env: {
        FDI_AUTH_TOKEN: '',
        FDI_ACCESS_KEY: AK,
        FDI_SECRET_KEY: SECRETS.secretKey,
        FDI_SECURITY_TOKEN: SECRETS.securityToken,
        FDI_RATE: '200',
        FDI_MAX_ATTEMPTS: '12',
        FDI_TIMEOUT_MS: '2000',
        LOG_LEVEL: 'debug',
      },
    });
  });
  afterAll(async () => {
    if (stack && !closed) await stack.close();
  });

  /** A handler of the same stack with other credentials, listening on its own prefix. */
  function handlerWith(prefix: string, env: Record<string, string>) {
    const all = {
      ...stack.env,
      FDI_AUTH_TOKEN: '',
      FDI_ACCESS_KEY: '',
      FDI_SECRET_KEY: '',
      FDI_SECURITY_TOKEN: '',
      MANIFEST_PREFIX: `${prefix}/`,
      REPORT_PREFIX: `${prefix}-reports/`,
      STATE_PREFIX: `${prefix}-state/`,
      ...env,
    };
    return createHandler(() =>
      buildTriggerDeps(all, { logger, s3: stack.s3, deadline: { softMarginMs: 1500, hardMarginMs: 300 } }),
    );
  }

  async function bucketText(): Promise<string> {
    let out = '';
    let token: string | undefined;
    do {
      const page = await stack.s3.send(new ListObjectsV2Command({ Bucket: stack.bucket, ContinuationToken: token }));
      for (const o of page.Contents ?? []) out += `\n--- ${o.Key}\n${await getText(stack, o.Key!)}`;
      token = page.NextContinuationToken;
    } while (token);
    return out;
  }

  it('AK/SK (stack handler), token and IAM (direct handlers): success with retries, a continuation, rejection and wrong credentials', async () => {
    // AK/SK through the stack's own event path: a run with faults, and an invalid manifest.
    await upload(stack, 'manifests/sec/aksk.yaml', bulkManifest(60, { prefix: 'sec-aksk' }));
    await upload(stack, 'manifests/sec/invalid.yaml', INVALID_MANIFEST);
    await stack.idle();

    const ctx = (ms: number) => ({ getRemainingTimeInMillis: () => ms });
    const cases: { prefix: string; env: Record<string, string>; manifest: string; budgetMs: number; expect: string }[] =
      [
        {
          prefix: 'tok',
          env: { FDI_AUTH_TOKEN: SECRETS.token, FDI_RATE: '100' },
          manifest: bulkManifest(40, { prefix: 'sec-tok' }),
          budgetMs: 600_000,
          expect: 'succeeded',
        },
        // A small budget and a slow rate: the run checkpoints and continues in further invocations. (Without
        // faults: an ambiguous failure whose lookup the deadline cuts off ends as "failed"; see RELIABILITY.md.)
        {
          prefix: 'iam',
          env: {
            FDI_IAM_ENDPOINT: stack.fdiEndpoint,
            FDI_IAM_DOMAIN: IAM.domain,
            FDI_IAM_USER: IAM.user,
            FDI_IAM_PASSWORD: SECRETS.password,
            FDI_RATE: '20',
            FDI_TIMEOUT_MS: '500',
          },
          manifest: bulkManifest(60, { prefix: 'sec-iam' }),
          budgetMs: 3_000,
          expect: 'continued',
        },
        {
          prefix: 'wrong-sk',
          env: {
            FDI_ACCESS_KEY: AK,
            FDI_SECRET_KEY: `${SECRETS.secretKey}-x`,
            FDI_SECURITY_TOKEN: SECRETS.securityToken,
          },
          manifest: bulkManifest(5, { prefix: 'sec-w1' }),
          budgetMs: 600_000,
          expect: 'aborted',
        },
        {
          prefix: 'wrong-pw',
          env: {
            FDI_IAM_ENDPOINT: stack.fdiEndpoint,
            FDI_IAM_DOMAIN: IAM.domain,
            FDI_IAM_USER: IAM.user,
            FDI_IAM_PASSWORD: `${SECRETS.password}-x`,
          },
          manifest: bulkManifest(5, { prefix: 'sec-w2' }),
          budgetMs: 600_000,
          expect: 'aborted',
        },
      ];
    for (const c of cases) {
      stack.emulator.configure({ faults: c.expect === 'continued' ? {} : FAULTS });
      const key = `${c.prefix}/wave.yaml`;
      await upload(stack, key, c.manifest);
      const handler = handlerWith(c.prefix, c.env);
      let [outcome] = await handler(s3Event(stack.bucket, key, `SEQ-${c.prefix}`), ctx(c.budgetMs));
      if (c.expect === 'continued') {
        expect(outcome.kind, c.prefix).toBe('continued');
        // The next invocation, as the continuation object's event would start it.
        while (outcome.kind === 'continued')
          [outcome] = await handler(
            s3Event(stack.bucket, outcome.continuationKey, `SEQ-${outcome.invocation}`),
            ctx(c.budgetMs),
          );
      }
      expect(outcome.kind, c.prefix).toBe('finished');
      const report = (outcome as { report: Report }).report;
      expect(report.status, `${c.prefix}: ${JSON.stringify(report.tasks.filter((t) => t.status !== 'created'))}`).toBe(
        c.expect === 'aborted' ? 'aborted' : 'succeeded',
      );
    }
    // The CLI on the same bucket: an s3:// manifest and an s3:// report folder, with the token.
    stack.emulator.configure({ faults: FAULTS });
    await upload(stack, 'cli-in/wave.yaml', bulkManifest(30, { prefix: 'sec-cli' }));
    const s3env = {
      S3_ENDPOINT: stack.s3Endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
    };
    const cli = await runCli(
      ['apply', `s3://${stack.bucket}/cli-in/wave.yaml`, '--report', `s3://${stack.bucket}/cli-reports`],
      {
        env: {
          ...s3env,
          FDI_ENDPOINT: stack.fdiEndpoint,
          FDI_AUTH_TOKEN: SECRETS.token,
          FDI_MAX_ATTEMPTS: '12',
          LOG_LEVEL: 'debug',
        },
      },
    );
    expect(cli.code, cli.stderr.slice(-2000)).toBe(0);
    const cliPlan = await runCli(['plan', `s3://${stack.bucket}/cli-in/wave.yaml`], {
      env: { ...s3env, FDI_ENDPOINT: stack.fdiEndpoint, FDI_AUTH_TOKEN: SECRETS.token, LOG_LEVEL: 'debug' },
    });
    expect(cliPlan.code, cliPlan.stderr.slice(-2000)).toBe(0);
    expectNoSecrets('the CLI on s3:// (stdout and stderr)', cli.stdout + cli.stderr + cliPlan.stdout + cliPlan.stderr);

    const aksk = await getReport(stack, 'reports/sec/aksk/latest.json');
    expect(aksk.status).toBe('succeeded');
    expect(aksk.stats.retries).toBeGreaterThan(0);

    const bucket = await bucketText();
    expect(bucket).toContain('checkpoint.json');
    expect(bucket).toContain('--- cli-reports/cli-in/wave/latest.json');
    expect(bucket).toContain('.continue');
    expect(logs.length).toBeGreaterThan(0);
    expectNoSecrets('the bucket (reports, state, checkpoints, continuations)', bucket);
    expectNoSecrets('the handler’s debug log', logs.join(''));
    expectNoSecrets('the handler outcomes', JSON.stringify(stack.outcomes));
    await stack.close();
    closed = true;
    // What the stores keep on disk: s3rver's objects and metadata, the emulator's state file.
    const onDisk = await allFilesText(dataDir);
    expect(onDisk.length).toBeGreaterThan(0);
    expectNoSecrets(`files under ${dataDir}`, onDisk);
  });
});

describe('the scanner finds what it looks for', () => {
  it('each forbidden pattern matches a text that holds it', () => {
    for (const v of Object.values(SECRETS)) {
      expect(FORBIDDEN.some((f) => f.pattern.test(`x ${v} y`))).toBe(true);
      expect(FORBIDDEN.some((f) => f.pattern.test(`x ${Buffer.from(v).toString('base64')} y`))).toBe(true);
    }
    expect(FORBIDDEN.some((f) => f.pattern.test(`Signature=${'ab'.repeat(32)}`))).toBe(true);
    expect(FORBIDDEN.some((f) => f.pattern.test(`MII${'A'.repeat(64)}`))).toBe(true);
    expect(FORBIDDEN.some((f) => f.pattern.test('nothing secret here [redacted]'))).toBe(false);
  });
});
