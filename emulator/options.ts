/**
 * The emulator's configuration: the options type, its defaults and its checks. Pure.
 */
import type { DataSource } from '../lib/fdi/model/api.js';
import { INSTANCE_TASK_QUOTA } from '../lib/fdi/model/api.js';
import { DEFAULT_DATASOURCES } from './datasources.js';
import {
  QUOTA_MESSAGES,
  QUOTA_MODELS,
  QUOTA_PERIODS,
  type QuotaMessage,
  type QuotaModel,
  type QuotaPeriod,
} from './rate-quota.js';

/** The fault kinds, in the fixed order in which their probability intervals are laid out on [0, 1). */
export const FAULT_KINDS = ['reset', 'hang', '429', '500', '502', '503', '504', '500-after-commit'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/**
 * How create, show and update write `task_detail`: `response` builds the RawFormDataResponse the SDK
 * documents (emulator/detail-form.ts); `request` echoes the string that was sent.
 */
export const DETAIL_FORMS = ['response', 'request'] as const;
export type DetailForm = (typeof DETAIL_FORMS)[number];

/**
 * How ShowDispatches answers for a task without a schedule: `404` FDI.3033, `empty` 200 `{}`, or
 * `no-id` 200 `{task_id, use_quartz_cron: false}` without `dispatch_id` (every field of
 * TaskDispatchRsp is optional in Huawei's SDK).
 */
export const NO_DISPATCH_FORMS = ['404', 'empty', 'no-id'] as const;
export type NoDispatchForm = (typeof NO_DISPATCH_FORMS)[number];

export interface EmulatorOptions {
  /** Default 127.0.0.1. */
  host?: string | undefined;
  /** Default 0 (a free port) programmatically; the CLI default is DEFAULT_EMULATOR_PORT (8787). */
  port?: number | undefined;
  /** Accepted static X-Auth-Token values; default ['local-token']. */
  tokens?: string[] | undefined;
  /** Accepted AK/SK pairs; default none. */
  aksk?: { ak: string; sk: string }[] | undefined;
  /** Accepted temporary AK/SK, each only with its security token (X-Security-Token); default none. */
  temporaryCredentials?: { ak: string; sk: string; securityToken: string }[] | undefined;
  /** Users accepted by POST /v3/auth/tokens. */
  iamUsers?: { domain: string; user: string; password: string }[] | undefined;
  /** Lifetime of IAM-issued tokens; default 86400. */
  tokenTtlSeconds?: number | undefined;
  /** Default ['local-project']. */
  projects?: string[] | undefined;
  /** Default ['local-instance']; every project has every instance. */
  instances?: string[] | undefined;
  /** Data sources of every instance; default DEFAULT_DATASOURCES. */
  datasources?: DataSource[] | undefined;
  /** Task quota per instance; default 1000. */
  maxTasks?: number | undefined;
  /** Requests per `rateQuotaPeriod` over the FDI API routes; undefined = unlimited. */
  rateQuota?: number | undefined;
  /** The period of `rateQuota`, shown in the 429 as `time:1 second|minute`; default 'second'. */
  rateQuotaPeriod?: QuotaPeriod | undefined;
  /**
   * How the quota counts (emulator/rate-quota.ts): 'bucket', a token bucket of capacity `rateQuota`
   * (a period's quota may be spent at once), or 'window', at most ⌊rateQuota⌋ in any sliding period;
   * default 'bucket'.
   */
  rateQuotaModel?: QuotaModel | undefined;
  /** Whether a 429 states the limit ('limit', as Huawei's gateway does) or not ('plain'); default 'limit'. */
  rateQuotaMessage?: QuotaMessage | undefined;
  /** When set, 429s carry Retry-After. */
  retryAfterSeconds?: number | undefined;
  latencyMs?: number | undefined;
  jitterMs?: number | undefined;
  /** Probabilities 0..1 (their sum at most 1). */
  faults?: Partial<Record<FaultKind, number>> | undefined;
  /** How long a 'hang' holds the request before destroying the socket; default 120000. */
  hangMs?: number | undefined;
  /** Seed of the PRNG behind latency jitter and faults; default 1. */
  seed?: number | undefined;
  /** Persist tasks (JSON) here between runs. */
  stateFile?: string | undefined;
  /** The form of `task_detail` in create/show/update answers; default 'response'. */
  detailForm?: DetailForm | undefined;
  /** ShowDispatches of a task without a schedule; default '404'. */
  noDispatch?: NoDispatchForm | undefined;
  /** How long a simulated execution runs before it succeeds or fails, in ms; default 1000. */
  executionMs?: number | undefined;
  /** The share of simulated executions that fail (with a remark and dirty data), 0..1; default 0. */
  executionFailShare?: number | undefined;
  /** Seed of the draws that decide which executions fail and their counts; default 1. */
  executionSeed?: number | undefined;
  /** Whether a batch start of a TIMING task begins an execution at once (as if its schedule fired); default false. */
  runOnStart?: boolean | undefined;
}

/** The settings that can change while the emulator runs (configure() and POST /__emulator/config). */
export const RUNTIME_KEYS = [
  'faults',
  'rateQuota',
  'rateQuotaPeriod',
  'rateQuotaModel',
  'rateQuotaMessage',
  'retryAfterSeconds',
  'latencyMs',
  'jitterMs',
  'maxTasks',
  'seed',
  'tokenTtlSeconds',
  'tokens',
  'detailForm',
  'noDispatch',
  'executionMs',
  'executionFailShare',
  'executionSeed',
  'runOnStart',
] as const;
export type RuntimeKey = (typeof RUNTIME_KEYS)[number];

/** A change of some of the runtime settings (RUNTIME_KEYS). */
export type RuntimePatch = Partial<Pick<EmulatorOptions, RuntimeKey>>;

/** Options with every default filled in. */
type Optional = 'rateQuota' | 'retryAfterSeconds' | 'stateFile';
export type ResolvedOptions = {
  [K in Exclude<keyof EmulatorOptions, Optional>]-?: NonNullable<EmulatorOptions[K]>;
} & Pick<EmulatorOptions, Optional>;

/** The runtime settings, every default filled in. */
export type RuntimeSettings = Pick<ResolvedOptions, RuntimeKey>;

export const DEFAULTS = {
  host: '127.0.0.1',
  port: 0,
  tokens: ['local-token'],
  iamUsers: [{ domain: 'local-domain', user: 'local-user', password: 'local-password' }],
  tokenTtlSeconds: 86_400,
  projects: ['local-project'],
  instances: ['local-instance'],
  maxTasks: INSTANCE_TASK_QUOTA,
  hangMs: 120_000,
  seed: 1,
  detailForm: 'response',
  noDispatch: '404',
  executionMs: 1000,
  executionFailShare: 0,
  executionSeed: 1,
  runOnStart: false,
  rateQuotaPeriod: 'second',
  rateQuotaModel: 'bucket',
  rateQuotaMessage: 'limit',
} as const;

/** A configuration the emulator refuses; the message names the option. */
export class EmulatorConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmulatorConfigError';
  }
}

function checkNumber(
  problems: string[],
  name: string,
  v: unknown,
  min: number,
  integer: boolean,
  max = Infinity,
): void {
  if (v === undefined) return;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    const range = max === Infinity ? `>= ${min}` : `${min}..${max}`;
    problems.push(`${name} must be ${integer ? 'an integer' : 'a number'} ${range} (got ${JSON.stringify(v)})`);
  }
}

/** Checks the runtime-changeable settings; returns every problem. */
export function checkRuntimePatch(patch: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(patch)) {
    if (!(RUNTIME_KEYS as readonly string[]).includes(key))
      problems.push(`${key} cannot be changed at run time (allowed: ${RUNTIME_KEYS.join(', ')})`);
  }
  checkNumber(problems, 'rateQuota', patch.rateQuota ?? undefined, Number.MIN_VALUE, false);
  checkNumber(problems, 'retryAfterSeconds', patch.retryAfterSeconds ?? undefined, 0, true);
  checkNumber(problems, 'latencyMs', patch.latencyMs, 0, true);
  checkNumber(problems, 'jitterMs', patch.jitterMs, 0, true);
  checkNumber(problems, 'maxTasks', patch.maxTasks, 0, true);
  checkNumber(problems, 'seed', patch.seed, 0, true, 2 ** 32 - 1);
  checkNumber(problems, 'tokenTtlSeconds', patch.tokenTtlSeconds, 1, true);
  // At run time the list may be empty: every static token revoked (a credential rotated mid-run).
  const tokens = patch.tokens;
  if (tokens !== undefined && (!Array.isArray(tokens) || tokens.some((t) => typeof t !== 'string' || t === ''))) {
    problems.push('tokens must be a list of non-empty strings');
  }
  problems.push(...checkFaults(patch.faults));
  checkChoice(problems, 'detailForm', patch.detailForm, DETAIL_FORMS);
  checkChoice(problems, 'noDispatch', patch.noDispatch, NO_DISPATCH_FORMS);
  checkChoice(problems, 'rateQuotaPeriod', patch.rateQuotaPeriod, QUOTA_PERIODS);
  checkChoice(problems, 'rateQuotaModel', patch.rateQuotaModel, QUOTA_MODELS);
  checkChoice(problems, 'rateQuotaMessage', patch.rateQuotaMessage, QUOTA_MESSAGES);
  checkNumber(problems, 'executionMs', patch.executionMs, 0, true);
  checkNumber(problems, 'executionFailShare', patch.executionFailShare, 0, false, 1);
  checkNumber(problems, 'executionSeed', patch.executionSeed, 0, true, 2 ** 32 - 1);
  if (patch.runOnStart !== undefined && typeof patch.runOnStart !== 'boolean')
    problems.push(`runOnStart must be true or false (got ${JSON.stringify(patch.runOnStart)})`);
  return problems;
}

function checkChoice(problems: string[], name: string, v: unknown, choices: readonly string[]): void {
  if (v === undefined || (typeof v === 'string' && choices.includes(v))) return;
  problems.push(`${name} must be one of ${choices.map((c) => `"${c}"`).join(', ')} (got ${JSON.stringify(v)})`);
}

/** Fault probabilities: known kinds, each 0..1, together at most 1 (the kinds exclude one another). */
export function checkFaults(faults: unknown): string[] {
  if (faults === undefined) return [];
  if (typeof faults !== 'object' || faults === null || Array.isArray(faults))
    return ['faults must be an object of KIND: probability'];
  const problems: string[] = [];
  let sum = 0;
  for (const [kind, p] of Object.entries(faults)) {
    if (!(FAULT_KINDS as readonly string[]).includes(kind)) {
      problems.push(`unknown fault kind "${kind}" (known: ${FAULT_KINDS.join(', ')})`);
    } else if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
      problems.push(`fault ${kind} needs a probability between 0 and 1 (got ${JSON.stringify(p)})`);
    } else {
      sum += p;
    }
  }
  if (sum > 1 + 1e-9)
    problems.push(`fault probabilities add up to ${sum}; they exclude one another, so the sum must be at most 1`);
  return problems;
}

function nonEmptyStrings(problems: string[], name: string, v: unknown): void {
  if (v === undefined) return;
  if (!Array.isArray(v) || v.length === 0 || v.some((s) => typeof s !== 'string' || s.length === 0)) {
    problems.push(`${name} must be a non-empty list of non-empty strings`);
  }
}

/** Fills the defaults and checks everything; throws EmulatorConfigError listing every problem. */
export function resolveOptions(options: EmulatorOptions = {}): ResolvedOptions {
  const {
    host,
    port,
    tokens,
    aksk,
    temporaryCredentials,
    iamUsers,
    tokenTtlSeconds,
    projects,
    instances,
    datasources,
    hangMs,
    stateFile,
    ...runtime
  } = options;
  const problems = checkRuntimePatch(runtime as Record<string, unknown>);
  checkNumber(problems, 'port', port, 0, true, 65_535);
  checkNumber(problems, 'hangMs', hangMs, 0, true);
  checkNumber(problems, 'tokenTtlSeconds', tokenTtlSeconds, 1, true);
  nonEmptyStrings(problems, 'tokens', tokens);
  nonEmptyStrings(problems, 'projects', projects);
  nonEmptyStrings(problems, 'instances', instances);
  if (aksk?.some((p) => !p.ak || !p.sk)) problems.push('every AK/SK pair needs both an access key and a secret key');
  if (temporaryCredentials?.some((p) => !p.ak || !p.sk || !p.securityToken))
    problems.push('every temporary credential needs an access key, a secret key and a security token');
  if (datasources) {
    const ids = new Set<string>();
    for (const ds of datasources) {
      if (ids.has(ds.datasource_id)) problems.push(`data source ID ${ds.datasource_id} appears twice`);
      ids.add(ds.datasource_id);
    }
  }
  if (problems.length > 0) throw new EmulatorConfigError(problems.join('; '));
  return {
    host: host ?? DEFAULTS.host,
    port: port ?? DEFAULTS.port,
    aksk: aksk ?? [],
    temporaryCredentials: temporaryCredentials ?? [],
    iamUsers: iamUsers ?? DEFAULTS.iamUsers.map((u) => ({ ...u })),
    projects: projects ?? [...DEFAULTS.projects],
    instances: instances ?? [...DEFAULTS.instances],
    datasources: datasources ?? DEFAULT_DATASOURCES.map((d) => ({ ...d })),
    ...resolveRuntime({ ...runtime, tokens, tokenTtlSeconds }),
    hangMs: hangMs ?? DEFAULTS.hangMs,
    stateFile,
  };
}

/**
 * The runtime settings with their defaults filled in (fresh copies of the lists), for resolveOptions
 * and configure(). Unset (undefined, or null from JSON) means the default: no faults, no latency or
 * jitter, no rate quota, no Retry-After, and DEFAULTS for the others (the response form of
 * task_detail, a 404 for a missing dispatch, executions of 1 s that never fail, no run on a TIMING start).
 */
export function resolveRuntime(settings: RuntimePatch): RuntimeSettings {
  return {
    faults: { ...(settings.faults ?? {}) },
    rateQuota: settings.rateQuota ?? undefined,
    rateQuotaPeriod: settings.rateQuotaPeriod ?? DEFAULTS.rateQuotaPeriod,
    rateQuotaModel: settings.rateQuotaModel ?? DEFAULTS.rateQuotaModel,
    rateQuotaMessage: settings.rateQuotaMessage ?? DEFAULTS.rateQuotaMessage,
    retryAfterSeconds: settings.retryAfterSeconds ?? undefined,
    latencyMs: settings.latencyMs ?? 0,
    jitterMs: settings.jitterMs ?? 0,
    maxTasks: settings.maxTasks ?? DEFAULTS.maxTasks,
    seed: settings.seed ?? DEFAULTS.seed,
    tokenTtlSeconds: settings.tokenTtlSeconds ?? DEFAULTS.tokenTtlSeconds,
    tokens: [...(settings.tokens ?? DEFAULTS.tokens)],
    detailForm: settings.detailForm ?? DEFAULTS.detailForm,
    noDispatch: settings.noDispatch ?? DEFAULTS.noDispatch,
    executionMs: settings.executionMs ?? DEFAULTS.executionMs,
    executionFailShare: settings.executionFailShare ?? DEFAULTS.executionFailShare,
    executionSeed: settings.executionSeed ?? DEFAULTS.executionSeed,
    runOnStart: settings.runOnStart ?? DEFAULTS.runOnStart,
  };
}
