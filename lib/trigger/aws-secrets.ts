/**
 * FDI secrets (and the run-end notice's webhook URL and headers) from AWS Systems Manager Parameter Store, read once per cold start. The deployed
 * function's environment names the parameters (`FDI_SECRET_KEY_PARAM=/fdi-provisioner/secret-key`),
 * never the values: this module fetches them (SecureString decrypted) and returns a copy of the
 * environment with the values filled in, for `loadConfig` to wrap as `Secret`s. `process.env` is left
 * untouched, and no value appears in a message or a log line.
 *
 * A Secrets Manager secret is read through Parameter Store's reference path
 * (`/aws/reference/secretsmanager/<secret-id>`), so one client and one permission model cover both.
 *
 * `@aws-sdk/client-ssm` is imported only when a `<NAME>_PARAM` is set: a deployment without one never
 * loads it (it costs ~90–110 ms of a cold start, docs/PERFORMANCE.md "Start-up").
 */
import type * as SsmModule from '@aws-sdk/client-ssm';
import type { GetParameterCommand, GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { loadS3Config, nonEmpty } from '../config.js';
import { ConfigError } from '../errors.js';

type Env = Record<string, string | undefined>;

/** The settings that may come from Parameter Store: `<NAME>_PARAM` names the parameter holding `<NAME>`. */
export const SECRET_SETTINGS = [
  'FDI_AUTH_TOKEN',
  'FDI_ACCESS_KEY',
  'FDI_SECRET_KEY',
  'FDI_SECURITY_TOKEN',
  'FDI_IAM_PASSWORD',
  // The run-end notice's webhook (docs/NOTIFY.md): its URL may hold the receiver's credential, its headers a token.
  'FDI_NOTIFY_URL',
  'FDI_NOTIFY_HEADERS',
] as const;
export type SecretSetting = (typeof SECRET_SETTINGS)[number];

/** The suffix of the variable naming a setting's parameter. */
export const PARAM_SUFFIX = '_PARAM';
/** Parameter Store's path to Secrets Manager secrets (GetParameter only, not GetParameters). */
export const SECRETS_MANAGER_REFERENCE = '/aws/reference/secretsmanager/';
/** GetParameters takes at most ten names per call. */
const BATCH = 10;

/** The part of the SSM client this module uses (a stand-in in tests). */
export interface SsmLike {
  send(command: GetParametersCommand | GetParameterCommand): Promise<unknown>;
}

/** The SSM client of the environment: `SSM_ENDPOINT` (or the SDK's own `AWS_ENDPOINT_URL_SSM`) overrides AWS. */
export async function createSsmClient(env: Env): Promise<SSMClient> {
  const { SSMClient } = await loadSsm();
  const endpoint = nonEmpty(env.SSM_ENDPOINT);
  const { region } = loadS3Config(env); // AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1
  return new SSMClient({ region, ...(endpoint ? { endpoint } : {}), maxAttempts: 3 });
}

/** `@aws-sdk/client-ssm`, imported on first use (once: node and esbuild's bundle cache the module). */
function loadSsm(): Promise<typeof SsmModule> {
  return import('@aws-sdk/client-ssm');
}

/** Which parameter each secret setting comes from, per the environment (empty when none is named). */
export function secretParams(env: Env): Map<SecretSetting, string> {
  const out = new Map<SecretSetting, string>();
  const problems: string[] = [];
  for (const name of SECRET_SETTINGS) {
    const param = nonEmpty(env[`${name}${PARAM_SUFFIX}`]);
    if (!param) continue;
    if (nonEmpty(env[name])) {
      problems.push(`${name} and ${name}${PARAM_SUFFIX} are both set; keep only ${name}${PARAM_SUFFIX}`);
    }
    if (!param.startsWith('/') && !param.startsWith('arn:') && !/^[A-Za-z0-9_.-]+$/.test(param)) {
      problems.push(`${name}${PARAM_SUFFIX} must be a parameter name, path or ARN (got ${JSON.stringify(param)})`);
    }
    out.set(name, param);
  }
  if (problems.length) throw new ConfigError(problems.join('; '));
  return out;
}

/**
 * The environment with every `<NAME>_PARAM` resolved to `<NAME>` from Parameter Store (decrypted).
 * Without any `_PARAM` variable it returns the environment as given and makes no request. Throws a
 * `ConfigError` naming the missing parameters (and the variables that name them), or the SSM error's
 * name and the parameters asked for when Parameter Store refuses (e.g. AccessDeniedException).
 */
export async function resolveSecretParams(env: Env, options: { ssm?: SsmLike } = {}): Promise<Env> {
  const wanted = secretParams(env);
  if (wanted.size === 0) return env;
  const { GetParameterCommand, GetParametersCommand } = await loadSsm();
  const ssm = options.ssm ?? (await createSsmClient(env));
  const names = [...new Set(wanted.values())];
  const values = new Map<string, string>();
  const invalid: string[] = [];
  const plain = names.filter((n) => !n.startsWith(SECRETS_MANAGER_REFERENCE));
  const referenced = names.filter((n) => n.startsWith(SECRETS_MANAGER_REFERENCE));
  try {
    for (let i = 0; i < plain.length; i += BATCH) {
      const batch = plain.slice(i, i + BATCH);
      const res = (await ssm.send(new GetParametersCommand({ Names: batch, WithDecryption: true }))) as {
        Parameters?: { Name?: string; Value?: string }[];
        InvalidParameters?: string[];
      };
      for (const p of res.Parameters ?? [])
        if (p.Name !== undefined && p.Value !== undefined) values.set(p.Name, p.Value);
      invalid.push(...(res.InvalidParameters ?? []));
    }
    for (const name of referenced) {
      try {
        const res = (await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }))) as {
          Parameter?: { Value?: string };
        };
        if (res.Parameter?.Value !== undefined) values.set(name, res.Parameter.Value);
      } catch (err) {
        if (errorName(err) !== 'ParameterNotFound') throw err;
        invalid.push(name);
      }
    }
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(
      `cannot read the FDI secrets from SSM Parameter Store (${names.join(', ')}): ${describe(err)}` +
        ' — check the parameters exist in this region and the function may ssm:GetParameters them (and kms:Decrypt)',
    );
  }
  const missing = [...wanted].filter(([, param]) => invalid.includes(param) || values.get(param) === undefined);
  const empty = [...wanted].filter(([, param]) => values.get(param) === '');
  const problems = [
    ...missing.map(([name, param]) => `${param} (${name}${PARAM_SUFFIX}) not found`),
    ...empty.map(([name, param]) => `${param} (${name}${PARAM_SUFFIX}) is empty`),
  ];
  if (problems.length) throw new ConfigError(`SSM parameter ${problems.join('; ')}`);
  const out: Env = { ...env };
  for (const [name, param] of wanted) out[name] = values.get(param);
  return out;
}

function errorName(err: unknown): string {
  if (err && typeof err === 'object' && 'name' in err && typeof err.name === 'string') return err.name;
  return 'Error';
}

/** An SDK error's name and message (SSM's messages name the action and resource, never a value). */
function describe(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return `${errorName(err)}: ${message.slice(0, 300)}`;
}
