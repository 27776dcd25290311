/**
 * The deployed Lambda's FDI secrets come from SSM Parameter Store at cold start, by the names its
 * environment gives (`<NAME>_PARAM`): the handler path reads them from a loopback stand-in speaking the
 * SSM JSON protocol and provisions with them; a missing parameter is a clear error; no secret reaches
 * the logs, the outcomes or process.env.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHandler, deployedDeps } from '../../../handlers/manifest-uploaded.js';
import { startLocalStack, type LocalStack } from '../../../local/stack.js';
import { ConfigError } from '../../../lib/errors.js';
import { createLogger, silentLogger } from '../../../lib/logger.js';
import { resolveSecretParams, SECRETS_MANAGER_REFERENCE } from '../../../lib/trigger/aws-secrets.js';
import { bulkManifest, tempDir } from '../../helpers/cli.js';
import { getReport, LAMBDA_CTX, s3Event, upload } from '../../helpers/stack.js';
import { startSsmStandIn, type SsmStandIn } from './ssm-standin.js';

const TOKEN = 'tok-SSM-SECRET-9d3e1b77c2';
const SK = 'sk-SSM-SECRET-4a8f0e21bb';
const PASSWORD = 'pw-SSM-SECRET-c71d55e0a3';
const PARAMS = {
  '/fdi-provisioner/test/auth-token': TOKEN,
  '/fdi-provisioner/test/secret-key': SK,
  '/fdi-provisioner/test/iam-password': PASSWORD,
  [`${SECRETS_MANAGER_REFERENCE}fdi/security-token`]: 'st-SSM-SECRET-0f0f0f0f',
};

describe('FDI secrets from SSM Parameter Store', () => {
  let ssm: SsmStandIn;
  let stack: LocalStack;
  beforeAll(async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIA-TEST');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'aws-test-secret');
    vi.stubEnv('AWS_SESSION_TOKEN', '');
    ssm = await startSsmStandIn(PARAMS);
    // The emulator accepts only the token held in Parameter Store.
    stack = await startLocalStack({
      dataDir: await tempDir('fdi-ssm-stack-'),
      logger: silentLogger(),
      emulator: { tokens: [TOKEN] },
    });
  }, 60_000);
  afterAll(async () => {
    vi.unstubAllEnvs();
    await stack?.close();
    await ssm?.close();
  });

  const base = () => ({ ...stack.env, FDI_AUTH_TOKEN: '', SSM_ENDPOINT: ssm.endpoint, MANIFEST_PREFIX: 'ssm-in/' });

  it('the handler reads the token from Parameter Store once per cold start and provisions with it; no secret in the logs', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const env = { ...base(), FDI_AUTH_TOKEN_PARAM: '/fdi-provisioner/test/auth-token' };
    const handler = createHandler(() =>
      deployedDeps(env, { logger: createLogger({ level: 'debug', destination }), s3: stack.s3 }),
    );
    ssm.calls.length = 0;
    for (const [i, name] of ['one', 'two'].entries()) {
      await upload(stack, `ssm-in/${name}.yaml`, bulkManifest(3, { prefix: `ssm-${name}` }));
      const outcomes = await handler(s3Event(stack.bucket, `ssm-in/${name}.yaml`, `00B${i}`), LAMBDA_CTX);
      expect(outcomes.map((o) => o.kind)).toEqual(['finished']);
      expect(JSON.stringify(outcomes)).not.toContain(TOKEN);
      expect((await getReport(stack, `reports/${name}/latest.json`)).counts.created).toBe(3);
    }
    // One GetParameters call (cold start), signed, decrypting, for the named parameter only.
    expect(ssm.calls).toHaveLength(1);
    expect(ssm.calls[0]).toMatchObject({
      target: 'AmazonSSM.GetParameters',
      body: { Names: ['/fdi-provisioner/test/auth-token'], WithDecryption: true },
    });
    expect(ssm.calls[0].authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIA-TEST\//);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('')).not.toContain(TOKEN);
    expect(process.env.FDI_AUTH_TOKEN ?? '').not.toContain(TOKEN);
    expect(env).not.toHaveProperty('FDI_AUTH_TOKEN', TOKEN);
  });

  it('resolves AK/SK, IAM password and a Secrets Manager reference into a copy of the environment', async () => {
    ssm.calls.length = 0;
    const env = {
      ...base(),
      FDI_ACCESS_KEY: 'AK-PUBLIC',
      FDI_SECRET_KEY_PARAM: '/fdi-provisioner/test/secret-key',
      FDI_SECURITY_TOKEN_PARAM: `${SECRETS_MANAGER_REFERENCE}fdi/security-token`,
      FDI_IAM_PASSWORD_PARAM: '/fdi-provisioner/test/iam-password',
    };
    const out = await resolveSecretParams(env);
    expect(out).toMatchObject({
      FDI_SECRET_KEY: SK,
      FDI_SECURITY_TOKEN: 'st-SSM-SECRET-0f0f0f0f',
      FDI_IAM_PASSWORD: PASSWORD,
    });
    expect(env).not.toHaveProperty('FDI_SECRET_KEY');
    expect(ssm.calls.map((c) => c.target)).toEqual(['AmazonSSM.GetParameters', 'AmazonSSM.GetParameter']);
    expect(ssm.calls[0].body.Names).toEqual(['/fdi-provisioner/test/secret-key', '/fdi-provisioner/test/iam-password']);
  });

  it('makes no request when no parameter is named', async () => {
    ssm.calls.length = 0;
    const env = { ...base(), FDI_AUTH_TOKEN: 'plain-for-local-runs' };
    expect(await resolveSecretParams(env)).toBe(env);
    expect(ssm.calls).toHaveLength(0);
  });

  it('a missing parameter is a clear error naming it and its variable; the next invocation tries again', async () => {
    const env = {
      ...base(),
      FDI_AUTH_TOKEN_PARAM: '/fdi-provisioner/test/typo',
      FDI_IAM_PASSWORD_PARAM: `${SECRETS_MANAGER_REFERENCE}missing`,
    };
    const err = await resolveSecretParams(env).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe(
      'SSM parameter /fdi-provisioner/test/typo (FDI_AUTH_TOKEN_PARAM) not found; ' +
        `${SECRETS_MANAGER_REFERENCE}missing (FDI_IAM_PASSWORD_PARAM) not found`,
    );

    ssm.calls.length = 0;
    const handler = createHandler(() =>
      deployedDeps({ ...base(), FDI_AUTH_TOKEN_PARAM: '/late' }, { s3: stack.s3, logger: silentLogger() }),
    );
    await upload(stack, 'ssm-in/late.yaml', bulkManifest(1, { prefix: 'ssm-late' }));
    const event = s3Event(stack.bucket, 'ssm-in/late.yaml', '00C1');
    await expect(handler(event, LAMBDA_CTX)).rejects.toThrow('SSM parameter /late (FDI_AUTH_TOKEN_PARAM) not found');
    ssm.params.set('/late', TOKEN);
    expect((await handler(event, LAMBDA_CTX)).map((o) => o.kind)).toEqual(['finished']);
    expect(ssm.calls).toHaveLength(2);
  });

  it('an SSM refusal names the error and the parameters, never a value; a value and a parameter for one setting clash', async () => {
    ssm.refuse = 'AccessDeniedException';
    try {
      const err = await resolveSecretParams({
        ...base(),
        FDI_SECRET_KEY_PARAM: '/fdi-provisioner/test/secret-key',
      }).catch((e: unknown) => e as Error);
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.message).toMatch(
        /^cannot read the FDI secrets from SSM Parameter Store \(\/fdi-provisioner\/test\/secret-key\): AccessDeniedException/,
      );
      expect(err.message).not.toContain(SK);
    } finally {
      ssm.refuse = undefined;
    }
    await expect(
      resolveSecretParams({ ...base(), FDI_SECRET_KEY: 'x', FDI_SECRET_KEY_PARAM: '/fdi-provisioner/test/secret-key' }),
    ).rejects.toThrow('FDI_SECRET_KEY and FDI_SECRET_KEY_PARAM are both set');
    await expect(resolveSecretParams({ ...base(), FDI_SECRET_KEY_PARAM: 'not a name' })).rejects.toThrow(
      'FDI_SECRET_KEY_PARAM must be a parameter name, path or ARN (got "not a name")',
    );
  });
});
