/**
 * Huawei FunctionGraph as the trigger's platform: the context's settings, credentials and clock, and
 * the OBS endpoint of the event's region. Each invocation builds its configuration and its OBS client
 * afresh, because the agency's temporary credentials rotate (docs/FUNCTIONGRAPH.md).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { loadConfig, loadPrefixes, type AuthConfig, type Config } from '../config.js';
import { ConfigError } from '../errors.js';
import type { Logger } from '../logger.js';
import { Secret } from '../secret.js';
import { createS3Client } from '../storage/s3-store.js';
import { triggerDeps } from './deps.js';
import type { DeadlineMargins } from './deadline.js';
import { handleRecords, type RecordOutcome } from './handle-event.js';
import type { Liveness } from './liveness.js';
import { classifyFunctionGraphEvent } from './obs-event.js';
import { classifyRef, type Classified } from './s3-event.js';
import { ObjectTooLargeError, type ObjectStore } from '../storage/object-store.js';
import type { TriggerDeps } from './run-upload.js';
import type { FdiConnector } from '../fdi/client/connect.js';

/** The part of FunctionGraph's Node.js context the trigger uses (every method but the clock optional). */
export interface FunctionGraphContext {
  getRemainingTimeInMilliSeconds(): number;
  getRequestID?(): string;
  getSecurityAccessKey?(): string;
  getSecuritySecretKey?(): string;
  getSecurityToken?(): string;
  getToken?(): string;
  getUserData?(key: string): string | undefined;
}

/** Every setting the function reads: from `context.getUserData(name)` first, then `process.env`. */
export const FUNCTIONGRAPH_SETTINGS = [
  'FDI_ENDPOINT',
  'FDI_PROJECT_ID',
  'FDI_INSTANCE_ID',
  'FDI_AUTH_TOKEN',
  'FDI_ACCESS_KEY',
  'FDI_SECRET_KEY',
  'FDI_SECURITY_TOKEN',
  'FDI_IAM_ENDPOINT',
  'FDI_IAM_DOMAIN',
  'FDI_IAM_USER',
  'FDI_IAM_PASSWORD',
  'FDI_IAM_PROJECT',
  'FDI_CONCURRENCY',
  'FDI_RATE',
  'FDI_BURST',
  'FDI_MAX_ATTEMPTS',
  'FDI_TIMEOUT_MS',
  'OBS_ENDPOINT',
  'OBS_REGION',
  'S3_ENDPOINT',
  'S3_FORCE_PATH_STYLE',
  'AWS_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'MANIFEST_PREFIX',
  'REPORT_PREFIX',
  'STATE_PREFIX',
  'LOG_LEVEL',
  'FDI_HEARTBEAT_MS',
  'FDI_STALE_AFTER_MS',
  'FDI_POLICY',
  'FDI_POLICY_OBJECT',
  'DESTROY_PREFIX',
  'FDI_DESTROY_UPLOADS',
  'FDI_NOTIFY_URL',
  'FDI_NOTIFY_HEADERS',
  'FDI_NOTIFY_FORMAT',
  'FDI_NOTIFY_ATTEMPTS',
  'FDI_NOTIFY_ATTEMPT_TIMEOUT_MS',
  'FDI_NOTIFY_TIMEOUT_MS',
] as const;

type Env = Record<string, string | undefined>;

/** Calls an optional context method; a missing method, a throw or an empty answer is undefined. */
function ask(fn: (() => string | undefined) | undefined): string | undefined {
  if (!fn) return undefined;
  try {
    const v = fn();
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
  } catch {
    return undefined;
  }
}

/** The settings of this invocation: the function's user data (encrypted ones included) over the process environment. */
export function functionGraphEnv(context: FunctionGraphContext, processEnv: Env): Env {
  const env: Env = {};
  for (const name of FUNCTIONGRAPH_SETTINGS) {
    env[name] = ask(context.getUserData ? () => context.getUserData!(name) : undefined) ?? processEnv[name];
  }
  return env;
}

/** The temporary credentials of the function's agency, as this invocation's context gives them. */
export interface AgencyCredentials {
  accessKey?: string | undefined;
  secretKey?: Secret | undefined;
  securityToken?: Secret | undefined;
  /** The agency's IAM token (getToken()). */
  token?: Secret | undefined;
}

export function agencyCredentials(context: FunctionGraphContext): AgencyCredentials {
  const secret = (v: string | undefined) => (v === undefined ? undefined : new Secret(v));
  return {
    accessKey: ask(context.getSecurityAccessKey?.bind(context)),
    secretKey: secret(ask(context.getSecuritySecretKey?.bind(context))),
    securityToken: secret(ask(context.getSecurityToken?.bind(context))),
    token: secret(ask(context.getToken?.bind(context))),
  };
}

/**
 * FDI's credentials: configured ones (FDI_AUTH_TOKEN, FDI_ACCESS_KEY/FDI_SECRET_KEY, FDI_IAM_*) win;
 * without them, the agency's AK/SK with its security token, else the agency's IAM token.
 */
export function fdiAuth(configured: AuthConfig, agency: AgencyCredentials): AuthConfig {
  if (configured.kind !== 'none') return configured;
  if (agency.accessKey && agency.secretKey && agency.securityToken) {
    return {
      kind: 'aksk',
      accessKey: agency.accessKey,
      secretKey: agency.secretKey,
      securityToken: agency.securityToken,
    };
  }
  if (agency.token) return { kind: 'token', token: agency.token };
  return configured;
}

/** OBS's endpoint for a region (Huawei Cloud's public regions). */
export function obsEndpoint(region: string): string {
  return `https://obs.${region}.myhuaweicloud.com`;
}

/**
 * The storage settings: OBS_ENDPOINT, else S3_ENDPOINT, else OBS's endpoint in the event's region
 * (OBS_REGION, else the event's `eventRegion`); virtual-hosted style unless S3_FORCE_PATH_STYLE says otherwise.
 */
export function storageEnv(env: Env, eventRegion: string | undefined): Env {
  const region = env.OBS_REGION ?? eventRegion;
  const endpoint = env.OBS_ENDPOINT ?? env.S3_ENDPOINT ?? (region ? obsEndpoint(region) : undefined);
  return {
    ...env,
    S3_ENDPOINT: endpoint,
    S3_FORCE_PATH_STYLE: env.S3_FORCE_PATH_STYLE ?? 'false',
    AWS_REGION: env.AWS_REGION ?? region,
  };
}

/** The OBS client's credentials: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY when set, else the agency's. */
export function storageCredentials(
  env: Env,
  agency: AgencyCredentials,
): { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined {
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    return {
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
    };
  }
  if (agency.accessKey && agency.secretKey) {
    return {
      accessKeyId: agency.accessKey,
      secretAccessKey: agency.secretKey.reveal(),
      ...(agency.securityToken ? { sessionToken: agency.securityToken.reveal() } : {}),
    };
  }
  return undefined;
}

/** Whether an object exists (a GET of at most 0 bytes: only GetObject permission needed). */
async function exists(store: ObjectStore, key: string): Promise<boolean> {
  try {
    return (await store.get(key, 0)) !== undefined;
  } catch (err) {
    if (err instanceof ObjectTooLargeError) return true;
    throw err;
  }
}

/**
 * Huawei does not document whether OBS URL-encodes keys in its events; they are decoded as S3's are.
 * For a record whose key decoding changed, when no object has the decoded key but one has the key as
 * the event carried it, that one is meant (a raw `a+b.yaml`, not `a b.yaml`). One GET per such record;
 * a store failure here leaves the decoded key (the run then meets the failure and reports it).
 */
export async function withStoredKeys(
  records: Classified[],
  deps: Pick<TriggerDeps, 'storeFor' | 'config'>,
): Promise<Classified[]> {
  return Promise.all(
    records.map(async (r) => {
      const raw = r.ref.rawKey;
      if (raw === undefined || raw === r.ref.key) return r;
      const store = deps.storeFor(r.ref.bucket);
      try {
        if (r.kind !== 'ignored' && (await exists(store, r.ref.key))) return r;
        const rawRef = { ...r.ref, key: raw, rawKey: undefined };
        const rawClass = classifyRef(rawRef, deps.config.prefixes);
        if (rawClass.kind === 'ignored' || !(await exists(store, raw))) return r;
        return rawClass;
      } catch {
        return r;
      }
    }),
  );
}

/** What a FunctionGraph invoker is built with once per cold start (or once per local stack). */
export interface FunctionGraphOptions {
  logger: Logger;
  processEnv: Env;
  /** Builds the OBS client of an invocation; default createS3Client. The invoker destroys it afterwards. */
  s3?: ((s3: Config['s3'], credentials: ReturnType<typeof storageCredentials>) => S3Client) | undefined;
  fdi?: FdiConnector | undefined;
  deadline?: DeadlineMargins | undefined;
  liveness?: Liveness | undefined;
}

export type FunctionGraphInvoker = (event: unknown, context: FunctionGraphContext) => Promise<RecordOutcome[]>;

/**
 * One invocation: classify the event (garbage → 'ignored' outcomes with a reason, logged), build this
 * invocation's configuration and OBS client from the context, and run the records.
 */
export function functionGraphInvoker(options: FunctionGraphOptions): FunctionGraphInvoker {
  return async (event, context) => {
    const requestId = ask(context.getRequestID?.bind(context));
    const logger = requestId ? options.logger.child({ request_id: requestId }) : options.logger;
    const env = functionGraphEnv(context, options.processEnv);
    const parsed = classifyFunctionGraphEvent(event, loadPrefixes(env));
    const work = parsed.records.filter((r) => r.kind !== 'ignored');
    for (const r of parsed.records) {
      if (r.kind !== 'ignored') continue;
      // A record outside the trigger's filter is routine; an event the function cannot read is worth a warning.
      const level = r.ref.bucket && r.ref.key ? 'debug' : 'warn';
      logger[level](
        { form: parsed.form ?? 'unknown', bucket: r.ref.bucket, key: r.ref.key, reason: r.reason },
        'ignored event record',
      );
    }
    if (work.length === 0)
      return parsed.records.map((r) => ({ kind: 'ignored', key: r.ref.key, reason: (r as { reason: string }).reason }));
    const agency = agencyCredentials(context);
    const stEnv = storageEnv(env, parsed.region);
    if (!stEnv.S3_ENDPOINT) {
      throw new ConfigError('no OBS endpoint: set OBS_ENDPOINT (or OBS_REGION); the event names no region');
    }
    const loaded = loadConfig(stEnv);
    const config: Config = { ...loaded, auth: fdiAuth(loaded.auth, agency) };
    const s3 = (options.s3 ?? createS3Client)(config.s3, storageCredentials(stEnv, agency));
    const deps = triggerDeps(config, s3, {
      logger,
      fdi: options.fdi,
      deadline: options.deadline,
      liveness: options.liveness,
    });
    try {
      const records = await withStoredKeys(parsed.records, deps);
      return await handleRecords(records, deps, { remainingMs: () => context.getRemainingTimeInMilliSeconds() });
    } finally {
      s3.destroy();
    }
  };
}
