/**
 * Configuration from the environment (README, "Configuration"), overridden by CLI flags. Pure: takes the env and the
 * flags as plain objects. Bounds keep a manifest or a typo from hammering a production quota.
 */
import { ConfigError } from './errors.js';
import { notifyFrom, notifySecrets, type NotifySettings } from './notify/settings.js';
import { livenessFrom, type Liveness } from './config-liveness.js';
import { Secret } from './secret.js';

/** How requests to FDI authenticate. */
export type AuthConfig =
  | { kind: 'token'; token: Secret }
  | { kind: 'aksk'; accessKey: string; secretKey: Secret; securityToken?: Secret | undefined }
  | { kind: 'iam'; endpoint: string; domain: string; user: string; password: Secret; projectName?: string | undefined }
  | { kind: 'none' };

/** Engine limits: concurrency cap, request rate, attempts per request, per-request timeout. */
export interface Limits {
  concurrency: number;
  rate: number;
  maxAttempts: number;
  timeoutMs: number;
}

export interface Config {
  endpoint?: string | undefined;
  projectId?: string | undefined;
  instanceId?: string | undefined;
  auth: AuthConfig;
  /** Effective defaults: the configured value, else the built-in default. */
  limits: Limits;
  /** The limits set explicitly (environment or flag): they cap what a manifest's `options` ask for. */
  caps: Partial<Limits>;
  /**
   * Requests the FDI gateway accepts at once above its rate (its token bucket's capacity; FDI_BURST,
   * --burst), spent at a run's start: README, "What the engine guarantees". 0: none, and no second
   * ever holds more than the rate.
   */
  burst: number;
  s3: { endpoint?: string | undefined; forcePathStyle: boolean; region: string };
  /**
   * `destroy`: the prefix whose uploads run a destroy (docs/DESTROY.md), present only when destroy
   * uploads are enabled (FDI_DESTROY_UPLOADS=true; DESTROY_PREFIX, default destroy/).
   */
  prefixes: { manifest: string; report: string; state: string; destroy?: string | undefined };
  /**
   * The function's heartbeat and after how long without one a run is taken over (FDI_HEARTBEAT_MS,
   * FDI_STALE_AFTER_MS); undefined: the defaults of lib/trigger/liveness.ts. For a platform that retries
   * a killed invocation sooner than the default staleness (docs/FUNCTIONGRAPH.md).
   */
  liveness?: Liveness | undefined;
  /**
   * Where the operator's policy is (docs/SECURITY.md): the text itself (FDI_POLICY), or an object read
   * at the start of every run (FDI_POLICY_OBJECT: a key of the manifest's bucket, or another bucket's).
   * Undefined: no policy, every manifest may do what its options ask.
   */
  policy?: PolicySource | undefined;
  /** The webhook told of every run's end (FDI_NOTIFY_URL …, docs/NOTIFY.md); only ever the operator's. */
  notify?: NotifySettings | undefined;
}

export type PolicySource =
  | { kind: 'inline'; text: string }
  | { kind: 'object'; key: string; /** Another bucket than the manifest's. */ bucket?: string | undefined };

/**
 * The policy's source from the environment. Its object may not lie where uploaders write manifests nor
 * where the function writes (reports, state): only the operator may write it.
 */
function policyFrom(env: Env, prefixes: Config['prefixes'], problems: string[]): PolicySource | undefined {
  const text = env.FDI_POLICY;
  const object = nonEmpty(env.FDI_POLICY_OBJECT);
  const inline = text !== undefined && text.trim() !== '';
  if (inline && object) {
    problems.push('FDI_POLICY and FDI_POLICY_OBJECT are both set: keep the policy in one place');
    return undefined;
  }
  if (inline) return { kind: 'inline', text };
  if (!object) return undefined;
  const uri = /^s3:\/\/([^/]+)\/(.+)$/.exec(object);
  const key = (uri ? uri[2] : object).replace(/^\/+/, '');
  if (!key || key.endsWith('/') || (object.startsWith('s3://') && !uri)) {
    problems.push(`FDI_POLICY_OBJECT must be an object key or s3://bucket/key (got ${JSON.stringify(object)})`);
    return undefined;
  }
  const inside = namedPrefixes(prefixes).find(([, p]) => key.startsWith(p));
  if (inside) {
    problems.push(
      `FDI_POLICY_OBJECT ${JSON.stringify(key)} lies under ${inside[0]} "${inside[1]}", where others than the operator write: keep it under a prefix only the operator can write, such as operator/`,
    );
    return undefined;
  }
  return { kind: 'object', key, ...(uri && { bucket: uri[1] }) };
}

/** Defaults and the bounds any source (env, flag, manifest option) is clamped to. */
export const LIMIT_BOUNDS = {
  concurrency: { default: 8, min: 1, max: 64 },
  rate: { default: 20, min: 0.1, max: 1000 },
  maxAttempts: { default: 5, min: 1, max: 20 },
  timeoutMs: { default: 30_000, min: 100, max: 300_000 },
} as const;

/** The CLI flags that override the environment (all optional strings, as argv gives them). */
export interface ConfigFlags {
  endpoint?: string | undefined;
  projectId?: string | undefined;
  instanceId?: string | undefined;
  token?: string | undefined;
  concurrency?: string | number | undefined;
  rate?: string | number | undefined;
  maxAttempts?: string | number | undefined;
  timeoutMs?: string | number | undefined;
  burst?: string | number | undefined;
}

type Env = Record<string, string | undefined>;

/** A bounded number from the environment or a flag; a bad one is added to `problems` (and the default used). */
function numberSetting(
  problems: string[],
  name: keyof typeof LIMIT_BOUNDS,
  source: string,
  raw: string | number | undefined,
  integer: boolean,
): number {
  const b = LIMIT_BOUNDS[name];
  if (raw === undefined || raw === '') return b.default;
  const n = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < b.min || n > b.max) {
    const kind = integer ? 'an integer' : 'a number';
    problems.push(`${source} must be ${kind} between ${b.min} and ${b.max} (got ${JSON.stringify(String(raw))})`);
    return b.default;
  }
  return n;
}

/** FDI_BURST: a whole number of requests, at most the highest rate (a second's quota at most). */
function burstSetting(problems: string[], source: string, raw: string | number | undefined): number {
  if (raw === undefined || raw === '') return 0;
  const n = typeof raw === 'number' ? raw : Number(raw);
  const max = LIMIT_BOUNDS.rate.max;
  if (Number.isInteger(n) && n >= 0 && n <= max) return n;
  problems.push(
    `${source} must be a whole number of requests from 0 to ${max}: the burst the FDI gateway accepts above its rate, 0 for none (got ${JSON.stringify(String(raw))})`,
  );
  return 0;
}

/** Every problem of a configuration at once: one line, or a list under a count. */
function configProblems(problems: string[]): ConfigError {
  if (problems.length === 1) return new ConfigError(problems[0]);
  return new ConfigError(`${problems.length} settings are wrong:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
}

function prefix(value: string | undefined, fallback: string): string {
  const v = (value ?? fallback).replace(/^\/+/, '');
  return v === '' || v.endsWith('/') ? v : `${v}/`;
}

/** A setting's value, trimmed; undefined when unset or blank. */
export function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function authFrom(env: Env, flags: ConfigFlags): AuthConfig {
  const token = nonEmpty(flags.token) ?? nonEmpty(env.FDI_AUTH_TOKEN);
  if (token) return { kind: 'token', token: new Secret(token) };
  const ak = nonEmpty(env.FDI_ACCESS_KEY);
  const sk = nonEmpty(env.FDI_SECRET_KEY);
  if (ak || sk) {
    if (!ak || !sk) throw new ConfigError('FDI_ACCESS_KEY and FDI_SECRET_KEY must be set together');
    const st = nonEmpty(env.FDI_SECURITY_TOKEN);
    return { kind: 'aksk', accessKey: ak, secretKey: new Secret(sk), securityToken: st ? new Secret(st) : undefined };
  }
  const iam = {
    endpoint: nonEmpty(env.FDI_IAM_ENDPOINT),
    domain: nonEmpty(env.FDI_IAM_DOMAIN),
    user: nonEmpty(env.FDI_IAM_USER),
    password: nonEmpty(env.FDI_IAM_PASSWORD),
  };
  if (Object.values(iam).some(Boolean)) {
    const missing = Object.entries(iam)
      .filter(([, v]) => !v)
      .map(([k]) => `FDI_IAM_${k.toUpperCase()}`);
    if (missing.length) throw new ConfigError(`IAM password authentication needs ${missing.join(', ')} as well`);
    return {
      kind: 'iam',
      endpoint: iam.endpoint!,
      domain: iam.domain!,
      user: iam.user!,
      password: new Secret(iam.password!),
      ...(nonEmpty(env.FDI_IAM_PROJECT) ? { projectName: nonEmpty(env.FDI_IAM_PROJECT) } : {}),
    };
  }
  return { kind: 'none' };
}

/** The storage part of the configuration alone (what `validate` and `render` need for s3:// manifests). */
export function loadS3Config(env: Env): Config['s3'] {
  return {
    endpoint: nonEmpty(env.S3_ENDPOINT),
    forcePathStyle: /^(1|true|yes)$/i.test(env.S3_FORCE_PATH_STYLE ?? (env.S3_ENDPOINT ? 'true' : 'false')),
    region: nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION) ?? 'us-east-1',
  };
}

/** The destroy prefix when destroy uploads are enabled (FDI_DESTROY_UPLOADS), else undefined. */
function destroyPrefix(env: Env, problems: string[]): string | undefined {
  const on = nonEmpty(env.FDI_DESTROY_UPLOADS);
  if (on === undefined || /^(0|false|no|off)$/i.test(on)) return undefined;
  if (!/^(1|true|yes|on)$/i.test(on)) {
    problems.push(`FDI_DESTROY_UPLOADS must be true or false (got ${JSON.stringify(on)})`);
    return undefined;
  }
  const p = prefix(nonEmpty(env.DESTROY_PREFIX), 'destroy/');
  if (p === '') problems.push('DESTROY_PREFIX cannot be the whole bucket: give it a prefix such as destroy/');
  return p;
}

/** The prefixes others than the operator write to, under the names that set them (destroy's when enabled). */
function namedPrefixes(prefixes: Config['prefixes']): Array<[string, string]> {
  const named: Array<[string, string | undefined]> = [
    ['MANIFEST_PREFIX', prefixes.manifest],
    ['REPORT_PREFIX', prefixes.report],
    ['STATE_PREFIX', prefixes.state],
    ['DESTROY_PREFIX', prefixes.destroy],
  ];
  return named.filter((n): n is [string, string] => n[1] !== undefined);
}

/**
 * The destroy prefix shares no key with the others: an upload under the manifest prefix must never
 * destroy, and one under the destroy prefix never apply, whatever the names.
 */
function checkPrefixes(prefixes: Config['prefixes'], problems: string[]): void {
  const d = prefixes.destroy;
  if (d === undefined) return;
  for (const [name, p] of namedPrefixes({ ...prefixes, destroy: undefined })) {
    if (d.startsWith(p) || p.startsWith(d))
      problems.push(`DESTROY_PREFIX "${d}" overlaps ${name} "${p}": give destroy uploads a prefix of their own`);
  }
}

/** The bucket's prefixes (manifests, reports, state, destroy uploads when enabled), checked. */
function prefixesFrom(env: Env, problems: string[]): Config['prefixes'] {
  const prefixes = {
    manifest: prefix(env.MANIFEST_PREFIX, 'manifests/'),
    report: prefix(env.REPORT_PREFIX, 'reports/'),
    state: prefix(env.STATE_PREFIX, 'state/'),
    destroy: destroyPrefix(env, problems),
  };
  checkPrefixes(prefixes, problems);
  return prefixes;
}

/** The prefixes part of the configuration alone (what classifying an event needs); throws a `ConfigError`. */
export function loadPrefixes(env: Env): Config['prefixes'] {
  const problems: string[] = [];
  const prefixes = prefixesFrom(env, problems);
  if (problems.length) throw configProblems(problems);
  return prefixes;
}

/** Builds the configuration; throws one `ConfigError` (exit 2) naming every variable or flag at fault. */
export function loadConfig(env: Env, flags: ConfigFlags = {}): Config {
  const problems: string[] = [];
  const pick = (flag: string | number | undefined, envName: string) =>
    flag !== undefined ? { raw: flag, source: `--${flagName(envName)}` } : { raw: env[envName], source: envName };
  const c = pick(flags.concurrency, 'FDI_CONCURRENCY');
  const r = pick(flags.rate, 'FDI_RATE');
  const m = pick(flags.maxAttempts, 'FDI_MAX_ATTEMPTS');
  const t = pick(flags.timeoutMs, 'FDI_TIMEOUT_MS');
  const b = pick(flags.burst, 'FDI_BURST');
  const endpoint = nonEmpty(flags.endpoint) ?? nonEmpty(env.FDI_ENDPOINT);
  if (endpoint && !/^https?:\/\/[^\s/]+/.test(endpoint)) {
    problems.push(
      `FDI endpoint must be an http(s) URL such as https://roma.cn-north-4.myhuaweicloud.com (got ${JSON.stringify(endpoint)})`,
    );
  }
  const limits: Limits = {
    concurrency: numberSetting(problems, 'concurrency', c.source, c.raw, true),
    rate: numberSetting(problems, 'rate', r.source, r.raw, false),
    maxAttempts: numberSetting(problems, 'maxAttempts', m.source, m.raw, true),
    timeoutMs: numberSetting(problems, 'timeoutMs', t.source, t.raw, true),
  };
  const burst = burstSetting(problems, b.source, b.raw);
  const liveness = livenessFrom(env, problems);
  const prefixes = prefixesFrom(env, problems);
  const policy = policyFrom(env, prefixes, problems);
  const notify = notifyFrom(env, problems);
  let auth: AuthConfig = { kind: 'none' };
  try {
    auth = authFrom(env, flags);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(err.message);
  }
  if (problems.length) throw configProblems(problems);
  return {
    endpoint: endpoint?.replace(/\/+$/, ''),
    projectId: nonEmpty(flags.projectId) ?? nonEmpty(env.FDI_PROJECT_ID),
    instanceId: nonEmpty(flags.instanceId) ?? nonEmpty(env.FDI_INSTANCE_ID),
    auth,
    limits,
    caps: Object.fromEntries(
      (
        [
          ['concurrency', c],
          ['rate', r],
          ['maxAttempts', m],
          ['timeoutMs', t],
        ] as const
      )
        .filter(([, v]) => v.raw !== undefined && v.raw !== '')
        .map(([k]) => [k, limits[k]]),
    ),
    burst,
    s3: loadS3Config(env),
    prefixes,
    liveness,
    policy,
    notify,
  };
}

/**
 * The limits of a run: a manifest's option wins over the default, but never over an explicitly
 * configured value (an operator's cap), and always within LIMIT_BOUNDS.
 */
export function effectiveLimits(
  config: Config,
  asked: { concurrency?: number | undefined; rate?: number | undefined; max_attempts?: number | undefined },
): Limits {
  const pick = (k: keyof Limits, v: number | undefined) => {
    const b = LIMIT_BOUNDS[k];
    const want = Math.min(b.max, Math.max(b.min, v ?? config.limits[k]));
    return config.caps[k] !== undefined ? Math.min(want, config.caps[k]!) : want;
  };
  return {
    concurrency: pick('concurrency', asked.concurrency),
    rate: pick('rate', asked.rate),
    maxAttempts: pick('maxAttempts', asked.max_attempts),
    timeoutMs: config.limits.timeoutMs,
  };
}

function flagName(envName: string): string {
  return envName.replace(/^FDI_/, '').toLowerCase().replace(/_/g, '-');
}

/** Every secret of a configuration, for scrubbing text before it leaves the process. */
export function configSecrets(config: Config): Secret[] {
  const a = config.auth;
  const auth =
    a.kind === 'token'
      ? [a.token]
      : a.kind === 'aksk'
        ? [a.secretKey, a.securityToken]
        : a.kind === 'iam'
          ? [a.password]
          : [];
  return [...auth, ...notifySecrets(config.notify)].filter((s): s is Secret => s !== undefined);
}
