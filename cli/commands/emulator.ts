/**
 * `fdi-provision emulator`: flags → EmulatorOptions → a running emulator until SIGINT/SIGTERM.
 * Prints `listening on <url>` as the first line of stdout.
 */
import { readFileSync } from 'node:fs';
import { EXIT, UserError } from '../../lib/errors.js';
import {
  type DetailForm,
  type EmulatorOptions,
  type FaultKind,
  type NoDispatchForm,
  type QuotaMessage,
  type QuotaModel,
  type QuotaPeriod,
  DETAIL_FORMS,
  EmulatorConfigError,
  FAULT_KINDS,
  NO_DISPATCH_FORMS,
  QUOTA_MESSAGES,
  QUOTA_MODELS,
  QUOTA_PERIODS,
  checkFaults,
  parseDataSources,
  startEmulator,
} from '../../emulator/index.js';
import type { CommandAction } from '../context.js';
import { portInUse } from '../port-in-use.js';

export interface EmulatorFlags {
  host: string;
  port: string;
  token?: string[];
  ak?: string;
  sk?: string;
  project?: string[];
  instance?: string[];
  datasources?: string;
  maxTasks: string;
  rateQuota?: string;
  rateQuotaPeriod?: string;
  rateQuotaModel?: string;
  rateQuotaMessage?: string;
  retryAfter?: string;
  latencyMs?: string;
  jitterMs?: string;
  fault?: string[];
  seed?: string;
  state?: string;
  tokenTtlS: string;
  detailForm?: string;
  noDispatch?: string;
  executionMs?: string;
  executionFailShare?: string;
  executionSeed?: string;
  runOnStart?: boolean;
}

type Problems = string[];

/** An integer flag within [min, max]; undefined (and a problem) when malformed. */
function int(
  problems: Problems,
  flag: string,
  raw: string | undefined,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (raw === undefined) return undefined;
  const n = /^\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    problems.push(
      `--${flag} must be a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${max}`} (got "${raw}")`,
    );
    return undefined;
  }
  return n;
}

function positive(problems: Problems, flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n <= 0) {
    problems.push(`--${flag} must be a number greater than 0 (got "${raw}")`);
    return undefined;
  }
  return n;
}

/** `--fault KIND=PROBABILITY`, repeatable; each kind at most once. */
function faults(problems: Problems, specs: string[] = []): Partial<Record<FaultKind, number>> {
  const out: Partial<Record<FaultKind, number>> = {};
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const kind = (eq < 0 ? spec : spec.slice(0, eq)).trim();
    const p = eq < 0 ? Number.NaN : Number(spec.slice(eq + 1));
    if (!(FAULT_KINDS as readonly string[]).includes(kind)) {
      problems.push(
        `--fault ${spec}: unknown kind "${kind}" (use one of ${FAULT_KINDS.join(', ')}, as KIND=PROBABILITY)`,
      );
    } else if (eq < 0 || spec.slice(eq + 1).trim() === '' || !(p >= 0 && p <= 1)) {
      problems.push(
        `--fault ${spec}: the probability must be a number from 0 to 1, as KIND=PROBABILITY (e.g. 500=0.1)`,
      );
    } else if (kind in out) {
      problems.push(`--fault ${kind} is given twice`);
    } else {
      out[kind as FaultKind] = p;
    }
  }
  if (problems.length === 0) problems.push(...checkFaults(out).map((m) => `--fault: ${m}`));
  return out;
}

/** A flag that takes one of a few words. */
function choice<T extends string>(
  problems: Problems,
  flag: string,
  raw: string | undefined,
  choices: readonly T[],
): T | undefined {
  if (raw === undefined) return undefined;
  if ((choices as readonly string[]).includes(raw)) return raw as T;
  problems.push(`--${flag} must be one of ${choices.join(', ')} (got "${raw}")`);
  return undefined;
}

/** A share from 0 to 1. */
function share(problems: Problems, flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) {
    problems.push(`--${flag} must be a number from 0 to 1 (got "${raw}")`);
    return undefined;
  }
  return n;
}

function nonEmpty(problems: Problems, flag: string, values: string[] | undefined): string[] | undefined {
  if (values?.some((v) => v.trim() === '')) problems.push(`--${flag} must not be empty`);
  return values;
}

function readDataSources(problems: Problems, file: string | undefined): EmulatorOptions['datasources'] {
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    problems.push(`--datasources ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    return undefined;
  }
  try {
    return parseDataSources(text, file);
  } catch (err) {
    problems.push(`--datasources ${(err as Error).message}`);
    return undefined;
  }
}

/** Turns the flags into emulator options; throws one UserError listing every bad flag. */
export function optionsFromFlags(flags: EmulatorFlags): EmulatorOptions {
  const problems: Problems = [];
  if (flags.host.trim() === '') problems.push('--host must not be empty');
  if ((flags.ak === undefined) !== (flags.sk === undefined))
    problems.push('--ak and --sk go together: give both or neither');
  const options: EmulatorOptions = {
    host: flags.host,
    port: int(problems, 'port', flags.port, 0, 65_535),
    tokens: nonEmpty(problems, 'token', flags.token),
    aksk: flags.ak !== undefined && flags.sk !== undefined ? [{ ak: flags.ak, sk: flags.sk }] : undefined,
    projects: nonEmpty(problems, 'project', flags.project),
    instances: nonEmpty(problems, 'instance', flags.instance),
    maxTasks: int(problems, 'max-tasks', flags.maxTasks, 0),
    rateQuota: positive(problems, 'rate-quota', flags.rateQuota),
    rateQuotaPeriod: choice<QuotaPeriod>(problems, 'rate-quota-period', flags.rateQuotaPeriod, QUOTA_PERIODS),
    rateQuotaModel: choice<QuotaModel>(problems, 'rate-quota-model', flags.rateQuotaModel, QUOTA_MODELS),
    rateQuotaMessage: choice<QuotaMessage>(problems, 'rate-quota-message', flags.rateQuotaMessage, QUOTA_MESSAGES),
    retryAfterSeconds: int(problems, 'retry-after', flags.retryAfter, 0),
    latencyMs: int(problems, 'latency-ms', flags.latencyMs, 0),
    jitterMs: int(problems, 'jitter-ms', flags.jitterMs, 0),
    seed: int(problems, 'seed', flags.seed, 0, 2 ** 32 - 1),
    tokenTtlSeconds: int(problems, 'token-ttl-s', flags.tokenTtlS, 1),
    stateFile: flags.state,
    datasources: readDataSources(problems, flags.datasources),
    detailForm: choice<DetailForm>(problems, 'detail-form', flags.detailForm, DETAIL_FORMS),
    noDispatch: choice<NoDispatchForm>(problems, 'no-dispatch', flags.noDispatch, NO_DISPATCH_FORMS),
    executionMs: int(problems, 'execution-ms', flags.executionMs, 0),
    executionFailShare: share(problems, 'execution-fail-share', flags.executionFailShare),
    executionSeed: int(problems, 'execution-seed', flags.executionSeed, 0, 2 ** 32 - 1),
    runOnStart: flags.runOnStart,
  };
  const faultProblems: Problems = [];
  options.faults = faults(faultProblems, flags.fault);
  problems.push(...faultProblems);
  if (problems.length > 0) throw new UserError(`invalid emulator flags:\n  ${problems.join('\n  ')}`);
  return options;
}

const run: CommandAction<EmulatorFlags> = async (_args, flags, ctx) => {
  const options = optionsFromFlags(flags);
  let emulator;
  try {
    emulator = await startEmulator(options);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw portInUse(options, '--port');
    if (code === 'EADDRNOTAVAIL')
      throw new UserError(`cannot listen on ${options.host}: no such local address (see --host)`);
    if (err instanceof EmulatorConfigError) throw new UserError(err.message);
    if (options.stateFile && err instanceof Error && err.message.includes('state file'))
      throw new UserError(err.message);
    throw err;
  }
  ctx.stdout.write(`listening on ${emulator.url}\n`);
  ctx.stderr.write(
    `FDI emulator: projects ${(options.projects ?? ['local-project']).join(', ')}; instances ${(options.instances ?? ['local-instance']).join(', ')}; ` +
      `control routes under ${emulator.url}/__emulator/ (stats, reset, config). Stop with Ctrl-C.\n`,
  );
  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) resolve();
    else ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await emulator.close();
  return EXIT.ok;
};
export default run;
