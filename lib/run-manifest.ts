/**
 * The orchestrator, and the only module that knows the order of the stages:
 * read → parse/validate/expand → plan (read-only facts) → execute → report.
 * Writing the report is the caller's (CLI: a folder; handler: the bucket), so `plan` and `apply`
 * are the same path and `apply` just executes the plan.
 */
import { createHash, randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { effectiveLimits, type Config, type Limits } from './config.js';
import { ConfigError, UserError } from './errors.js';
import { createAuthenticator } from './fdi/client/auth.js';
import { createFdiClient, type FdiClient } from './fdi/client/client.js';
import { FdiError } from './fdi/client/fdi-error.js';
import { executePlan } from './execute/execute-plan.js';
import type { StopReason } from './types.js';
import { collectTargets, planRun } from './plan/plan-run.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './traffic/retry-policy.js';
import { createScheduler, type AttemptLog, type Scheduler } from './traffic/scheduler.js';
import type { RetryContext } from './traffic/with-retry.js';
import { DEFAULT_FAILURE_THRESHOLD } from './execute/threshold.js';
import type { Logger } from './logger.js';
import {
  compileSource,
  type CompiledManifest,
  type ManifestLimits,
  type ManifestSource,
  type Problem,
} from './manifest/index.js';
import type { Plan } from './plan/types.js';
import { buildReport } from './report/build-report.js';
import { failedManifest, manifestEntry, needsRerun } from './report/failed-manifest.js';
import type { ManifestError, Report, TaskResult } from './report/types.js';
import got from 'got';

export interface RunDeps {
  logger: Logger;
  now?: () => Date;
  /** Seeded randomness for jitter in tests. */
  random?: () => number;
  /** Builds the FDI client; the default talks HTTP with got. */
  createClient?: (config: Config, scheduler: Scheduler, limits: Limits) => FdiClient;
}

export interface RunRequest {
  source: ManifestSource;
  config: Config;
  mode: 'plan' | 'apply';
  runId?: string;
  manifestLimits?: Partial<ManifestLimits>;
  retryPolicy?: Partial<RetryPolicy>;
  /** Hard stop (in-flight requests are aborted). */
  signal?: AbortSignal;
  /** Soft stop: the deadline nears; stop dispatching and let in-flight requests finish. */
  stopSignal?: AbortSignal;
  /** Final results of an earlier invocation of the same run (checkpoint). */
  done?: ReadonlyMap<number, TaskResult>;
  /** A later invocation of a run: planning leaves `done` tasks alone and reads back what it finds under `on_exists: fail`. */
  resumed?: boolean;
  /** Results carried over from an earlier invocation keep their request counts. */
  priorStats?: Report['stats'];
  startedAt?: Date;
  notes?: string[];
  onPlan?: (plan: Plan, manifest: CompiledManifest) => void;
  /** Each task's result as it is known, with the run's request counters so far (prior ones included). */
  onResult?: (result: TaskResult, stats: Report['stats']) => void;
  /** Overrides the instance quota (tests; the real service has 1,000). */
  instanceQuota?: number;
}

export interface RunOutcome {
  report: Report;
  /** `failed.yaml`, when some tasks failed or were not attempted. */
  failedYaml?: string;
  plan?: Plan;
  manifest?: CompiledManifest;
  stopped?: StopReason;
}

/** A sortable, unique run id: `20261128T203828Z-1a2b3c`. */
export function newRunId(now: Date = new Date()): string {
  return `${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '')}-${randomBytes(3).toString('hex')}`;
}

function problemToError(p: Problem): ManifestError {
  return {
    message: p.message,
    file: p.file,
    ...(p.line !== undefined ? { line: p.line } : {}),
    ...(p.column !== undefined ? { column: p.column } : {}),
    ...(p.taskName !== undefined ? { task: p.taskName } : {}),
    ...(p.hint ? { hint: p.hint } : {}),
  };
}

export async function runManifest(req: RunRequest, deps: RunDeps): Promise<RunOutcome> {
  const now = deps.now ?? (() => new Date());
  const startedAt = req.startedAt ?? now();
  const runId = req.runId ?? newRunId(startedAt);
  const log = deps.logger.child({ run_id: runId, manifest: req.source.uri });
  const manifestInfo = {
    uri: req.source.uri,
    ...(req.source.etag ? { etag: req.source.etag } : {}),
    ...(req.source.body ? { sha256: createHash('sha256').update(req.source.body).digest('hex') } : {}),
  };
  const target = {
    ...(req.config.projectId ? { project_id: req.config.projectId } : {}),
    ...(req.config.instanceId ? { instance_id: req.config.instanceId } : {}),
  };
  const stats = addStats(req.priorStats, { requests: 0, retries: 0, throttled: 0 });
  const finish = (
    results: TaskResult[],
    extra: { errors?: ManifestError[]; rejected?: string; aborted?: string; target?: Report['target'] },
  ) =>
    buildReport({
      runId,
      manifest: manifestInfo,
      target: extra.target ?? target,
      startedAt,
      finishedAt: now(),
      results,
      stats,
      errors: extra.errors,
      rejected: extra.rejected,
      aborted: extra.aborted,
      notes: req.notes,
    });

  // 1. Parse, validate, expand: nothing is sent unless the whole manifest is valid.
  const { manifest, problems } = compileSource(req.source, req.manifestLimits);
  if (!manifest || problems.length) {
    log.warn({ problems: problems.length }, 'manifest rejected');
    return {
      report: finish([], {
        errors: problems.map(problemToError),
        rejected: `the manifest has ${problems.length} problem(s); nothing was sent`,
      }),
    };
  }
  const reportTarget = { ...target, ...manifest.target };

  // 2. Targets of every task, from the manifest and the configuration.
  const { targets, missing } = collectTargets(manifest, req.config);
  if (missing.length)
    return {
      report: finish([], {
        errors: missing,
        rejected: 'some tasks have no target instance; nothing was sent',
        target: reportTarget,
      }),
      manifest,
    };

  // 3. Plan, read-only: existing tasks and data sources, one paged listing per instance.
  const limits = effectiveLimits(req.config, manifest.options);
  const debug = log.isLevelEnabled('debug')
    ? (fields: Record<string, unknown>, msg: string) => log.debug(fields, msg)
    : undefined;
  const scheduler = createScheduler({ concurrency: limits.concurrency, rate: limits.rate, debug });
  const retry = retryContext(
    scheduler,
    { ...DEFAULT_RETRY_POLICY, ...req.retryPolicy, maxAttempts: limits.maxAttempts },
    req.signal,
    deps.random,
    debug,
  );
  const syncStats = () => Object.assign(stats, addStats(req.priorStats, scheduler.stats));
  let client: FdiClient;
  let plan: Plan;
  try {
    client = (deps.createClient ?? defaultClient)(req.config, scheduler, limits);
    plan = await planRun(
      client,
      manifest,
      targets,
      req.config,
      retry,
      req.instanceQuota,
      req.resumed ? (req.done ?? new Map()) : undefined,
    );
  } catch (err) {
    syncStats();
    const failure = setupFailure(err);
    log.error({ err: failure.reason }, 'planning failed');
    const report = finish([], { [failure.status]: failure.reason, target: reportTarget });
    return { report, manifest, ...(failure.stopped ? { stopped: failure.stopped } : {}) };
  }
  req.onPlan?.(plan, manifest);
  const planResults = (): TaskResult[] =>
    plan.entries.map(
      (e) =>
        req.done?.get(e.index) ?? {
          index: e.index,
          name: e.name,
          status: e.action === 'invalid' ? 'invalid' : 'not_attempted',
          attempts: 0,
          line: e.line,
          target: e.target,
          ...(e.reason && e.action !== 'create' ? { error_code: e.action.toUpperCase(), error_msg: e.reason } : {}),
        },
    );
  syncStats();
  if (req.mode === 'plan') return { report: finish(planResults(), { target: reportTarget }), plan, manifest };
  if (plan.blockers.length) {
    log.warn({ blockers: plan.blockers }, 'plan rejected');
    return {
      report: finish(planResults(), { rejected: plan.blockers.join('; '), target: reportTarget }),
      plan,
      manifest,
    };
  }

  // 4. Execute the plan.
  const threshold = manifest.options.failure_threshold ?? DEFAULT_FAILURE_THRESHOLD;
  log.info({ tasks: manifest.taskCount, ...limits }, 'provisioning');
  const outcome = await executePlan(manifest, plan, {
    client,
    retry,
    workers: Math.min(256, limits.concurrency * 2),
    threshold,
    onExists: manifest.options.on_exists,
    signal: req.signal,
    stopSignal: req.stopSignal,
    done: req.done,
    onResult: req.onResult && ((r) => req.onResult!(r, addStats(req.priorStats, scheduler.stats))),
  });
  syncStats();
  const aborted = outcome.stopped ? stopMessage(outcome.stopped, threshold, outcome.authError) : undefined;
  const report = finish(outcome.results, { aborted, target: reportTarget });
  log.info({ status: report.status, counts: report.counts, stats: report.stats }, 'run finished');
  const failedYaml = rerunManifest(manifest, plan, outcome.results, { uri: req.source.uri, runId });
  return {
    report,
    plan,
    manifest,
    ...(failedYaml ? { failedYaml } : {}),
    ...(outcome.stopped ? { stopped: outcome.stopped } : {}),
  };
}

function rerunManifest(
  manifest: CompiledManifest,
  plan: Plan,
  results: TaskResult[],
  origin: { uri: string; runId: string },
): string | undefined {
  if (!results.some(needsRerun)) return undefined;
  function* entries() {
    for (const task of manifest.tasks()) {
      const r = results[task.index];
      const e = plan.entries[task.index];
      if (!r || !needsRerun(r)) continue;
      const ids =
        e?.source_datasource_id && e.target_datasource_id
          ? { source: e.source_datasource_id, target: e.target_datasource_id }
          : undefined;
      yield manifestEntry(task, r, ids);
    }
  }
  return failedManifest(entries(), manifest.options, origin);
}

function defaultClient(config: Config, scheduler: Scheduler, limits: Limits): FdiClient {
  if (!config.endpoint)
    throw new ConfigError(
      'no FDI endpoint: set FDI_ENDPOINT or --endpoint (e.g. https://roma.cn-north-4.myhuaweicloud.com)',
    );
  const auth = createAuthenticator(config.auth, {
    http: got.extend({ retry: { limit: 0 }, timeout: { request: limits.timeoutMs } }),
    projectId: config.projectId,
  });
  return createFdiClient({
    endpoint: config.endpoint,
    auth,
    timeoutMs: limits.timeoutMs,
    gate: scheduler.gate,
    observe: (e) => scheduler.observe(e),
    maxSockets: limits.concurrency,
  });
}

/** How a failure before any write ends the run: bad configuration rejects it, FDI refusing aborts it. */
function setupFailure(err: unknown): { status: 'rejected' | 'aborted'; reason: string; stopped?: StopReason } {
  if (err instanceof UserError) return { status: 'rejected', reason: err.message };
  if (!(err instanceof FdiError)) throw err;
  if (err.status === 401)
    return {
      status: 'aborted',
      reason: `authentication failed (${err.errorCode ?? 'HTTP 401'}): check the FDI credentials`,
      stopped: 'auth',
    };
  if (err.status === 404) {
    return {
      status: 'rejected',
      reason: `not found while reading the instance (${err.operation}): check the project and instance IDs (${err.errorMsg ?? err.errorCode ?? 'HTTP 404'})`,
    };
  }
  return {
    status: 'aborted',
    reason: `could not read the instance before provisioning: ${err.message}`,
    stopped: 'signal',
  };
}

/** The retry context of a run: every retry is counted, and a Retry-After pauses the whole run's limiter. */
function retryContext(
  scheduler: Scheduler,
  policy: RetryPolicy,
  signal?: AbortSignal,
  random?: () => number,
  debug?: AttemptLog,
): RetryContext {
  if (signal) setMaxListeners(0, signal);
  return {
    policy,
    random,
    signal,
    onRetry: (err, delayMs) => {
      scheduler.stats.retries += 1;
      debug?.(
        { operation: err.operation, status: err.status, error: err.errorCode ?? err.code, delay_ms: delayMs },
        'retrying',
      );
      if (err.retryAfterS !== undefined) scheduler.limiter.pauseFor(Math.min(delayMs, err.retryAfterS * 1000));
    },
  };
}

function addStats(
  prior: Report['stats'] | undefined,
  now: { requests: number; retries: number; throttled: number },
): Report['stats'] {
  return {
    requests: (prior?.requests ?? 0) + now.requests,
    retries: (prior?.retries ?? 0) + now.retries,
    throttled: (prior?.throttled ?? 0) + now.throttled,
  };
}

function stopMessage(
  reason: StopReason,
  threshold: { percent: number; min_attempted: number },
  authError?: FdiError,
): string {
  switch (reason) {
    case 'threshold':
      return `more than ${threshold.percent}% of the attempted tasks failed (after at least ${threshold.min_attempted}); the rest were not attempted`;
    case 'auth':
      return `authentication failed (${authError?.errorCode ?? 'HTTP 401'}${authError?.errorMsg ? `: ${authError.errorMsg}` : ''}); the run stopped at once`;
    case 'deadline':
      return 'the deadline was reached; the rest were not attempted';
    default:
      return 'the run was interrupted; the rest were not attempted';
  }
}
