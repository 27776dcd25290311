/**
 * The orchestrator, and the only module that knows the order of the stages:
 *
 *   read → compile → plan → execute → report → write
 *
 * Its inputs are injected (docs/ARCHITECTURE.md): a manifest reader, a report sink, an FDI connector,
 * a logger and a clock. The command line and the upload trigger are adapters that build them; neither
 * reads a manifest nor writes a report itself. `plan` and `apply` share the path up to the plan, and
 * `apply` then executes it. Every apply run writes its report, rejected and aborted ones too, unless
 * it suspends at its deadline to be continued by a later invocation.
 */
import { createHash, randomBytes } from 'node:crypto';
import { effectiveLimits, type Config } from './config.js';
import { UserError } from './errors.js';
import { executePlan } from './execute/execute-plan.js';
import { isFinal, notAttempted } from './execute/results.js';
import { DEFAULT_FAILURE_THRESHOLD, type FailureThreshold } from './execute/threshold.js';
import type { FdiConnector } from './fdi/client/connect.js';
import { FdiError } from './fdi/client/fdi-error.js';
import type { Logger } from './logger.js';
import { compileSource, type CompiledManifest, type Problem } from './manifest/index.js';
import { planRun } from './plan/plan-run.js';
import { collectTargets } from './plan/targets.js';
import type { Plan } from './plan/types.js';
import { buildReport } from './report/build-report.js';
import { rerunManifest } from './report/failed-manifest.js';
import type { ManifestError, Report, TaskResult } from './report/types.js';
import type { ManifestReader } from './storage/manifest-reader.js';
import type { ReportLocation, ReportSink } from './storage/report-sink.js';
import { createTraffic } from './traffic/run-traffic.js';
import { addCounts, NO_REQUESTS, systemClock, type Clock, type RequestCounts, type StopReason } from './types.js';

export interface RunRequest {
  mode: 'plan' | 'apply';
  config: Config;
  /** A later invocation of a run picks it up from here (the trigger's checkpoint). */
  resume?: Resume | undefined;
  /** Hard stop: in-flight requests are aborted (SIGINT; the invocation about to end). */
  signal?: AbortSignal | undefined;
  /** Soft stop: the deadline nears. Dispatching stops and the run suspends instead of reporting. */
  deadline?: AbortSignal | undefined;
  observer?: RunObserver | undefined;
}

/** Where an invocation of a run starts: its identity and what earlier invocations did. */
export interface Resume {
  runId: string;
  startedAt: Date;
  /** 1 for a run's first invocation; later ones leave settled tasks alone and read back conflicts. */
  invocation: number;
  /** Results of earlier invocations; the final ones are not redone. */
  results: readonly TaskResult[];
  stats: RequestCounts;
  notes: readonly string[];
  /** The manifest's SHA-256 as an earlier invocation read it. */
  manifestSha256?: string | undefined;
}

/** What the caller hears while the run goes (progress, checkpoints). */
export interface RunObserver {
  /** The plan, before anything is written. */
  planned?(plan: Plan, manifest: CompiledManifest): void;
  /** Each task's result as it becomes known; a `final` one need not be redone by a later invocation. */
  result?(result: TaskResult, progress: { final: boolean; stats: RequestCounts }): void;
  /** Every result is in: awaited before the report is written or the run suspends. */
  settled?(state: {
    stats: RequestCounts;
    manifestSha256?: string | undefined;
    notes: readonly string[];
  }): Promise<void>;
}

export interface RunDeps {
  reader: ManifestReader;
  /** Where an apply run writes its report; a plan run writes nothing. */
  sink?: ReportSink | undefined;
  fdi: FdiConnector;
  logger: Logger;
  clock?: Clock | undefined;
}

export type RunOutcome =
  | {
      kind: 'finished';
      report: Report;
      written?: ReportLocation;
      plan?: Plan;
      manifest?: CompiledManifest;
      failedYaml?: string;
    }
  | { kind: 'suspended'; runId: string; stats: RequestCounts };

/** How a run ended short of its tasks: refused before any write, or stopped on the way. */
type Ending = { errors?: ManifestError[]; rejected?: string; aborted?: string };

/** A sortable, unique run id: `20261128T203828Z-1a2b3c`. */
export function newRunId(now: Date = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

export async function runManifest(req: RunRequest, deps: RunDeps): Promise<RunOutcome> {
  const clock = deps.clock ?? systemClock;
  const startedAt = req.resume?.startedAt ?? clock.now();
  const runId = req.resume?.runId ?? newRunId(startedAt);
  const uri = deps.reader.uri;
  const log = deps.logger.child({ run_id: runId, manifest: uri });
  const notes = [...(req.resume?.notes ?? [])];
  const settled = new Map((req.resume?.results ?? []).filter(isFinal).map((r) => [r.index, r]));
  let counts = (): RequestCounts => req.resume?.stats ?? NO_REQUESTS;
  let manifestInfo: Report['manifest'] = { uri };
  let target: Report['target'] = { project_id: req.config.projectId, instance_id: req.config.instanceId };

  type Extras = { plan?: Plan; manifest?: CompiledManifest; failedYaml?: string | undefined };
  const finish = async (results: TaskResult[], ending: Ending, more: Extras = {}): Promise<RunOutcome> => {
    const report = buildReport({
      runId,
      manifest: manifestInfo,
      target,
      startedAt,
      finishedAt: clock.now(),
      results,
      stats: counts(),
      notes,
      ...ending,
    });
    if (req.mode === 'plan') return { kind: 'finished' as const, report, ...more };
    await req.observer?.settled?.({ stats: report.stats, manifestSha256: manifestInfo.sha256, notes });
    const written = await deps.sink?.write(report, more.failedYaml);
    log.info(
      { status: report.status, counts: report.counts, stats: report.stats, report: written?.location },
      'run finished',
    );
    return { kind: 'finished' as const, report, ...(written && { written }), ...more };
  };

  // 1. Read.
  const source = await deps.reader.read();
  if (!source) {
    const reason = `the manifest ${uri} no longer exists`;
    return finish([], { rejected: reason, errors: [{ message: reason }] });
  }
  const sha256 = source.body && createHash('sha256').update(source.body).digest('hex');
  manifestInfo = { uri, etag: source.etag, sha256 };
  const earlier = req.resume?.manifestSha256;
  if (earlier && sha256 && sha256 !== earlier && (req.resume?.invocation ?? 1) > 1) {
    notes.push(
      'The manifest object changed between invocations of this run; the run continued with the current content.',
    );
  }

  // 2. Compile: parse, validate, expand. Nothing is sent unless the whole manifest is valid.
  const { manifest, problems } = compileSource(source);
  if (!manifest || problems.length) {
    log.warn({ problems: problems.length }, 'manifest rejected');
    return finish([], {
      errors: problems.map(problemToError),
      rejected: `the manifest has ${problems.length} problem(s); nothing was sent`,
    });
  }
  target = { ...target, ...manifest.target };
  const { targets, missing } = collectTargets(manifest, req.config);
  if (missing.length)
    return finish(
      [],
      { errors: missing, rejected: 'some tasks have no target instance; nothing was sent' },
      { manifest },
    );

  // 3. Plan, read-only: existing tasks and data sources, one paged listing per instance.
  const limits = effectiveLimits(req.config, manifest.options);
  const debug = log.isLevelEnabled('debug')
    ? (fields: Record<string, unknown>, msg: string) => log.debug(fields, msg)
    : undefined;
  const traffic = createTraffic(limits, { signal: req.signal, debug });
  counts = () => addCounts(req.resume?.stats ?? NO_REQUESTS, traffic.counts());
  let client;
  let plan: Plan;
  try {
    client = deps.fdi(req.config, traffic.scheduler, limits);
    const resumed = (req.resume?.invocation ?? 1) > 1;
    plan = await planRun(manifest, targets, {
      client,
      retry: traffic.retry,
      defaults: req.config,
      settled: resumed ? new Set(settled.keys()) : undefined,
    });
  } catch (err) {
    const failure = planningFailure(err);
    log.error({ err: failure.reason }, 'planning failed');
    return finish([], failure.ending, { manifest });
  }
  req.observer?.planned?.(plan, manifest);
  const unsettled = () => plan.entries.map((e) => settled.get(e.index) ?? notAttempted(e));
  if (req.mode === 'plan') return finish(unsettled(), {}, { plan, manifest });
  if (plan.blockers.length) {
    log.warn({ blockers: plan.blockers }, 'plan rejected');
    return finish(unsettled(), { rejected: plan.blockers.join('; ') }, { plan, manifest });
  }

  // 4. Execute.
  const threshold = manifest.options.failure_threshold ?? DEFAULT_FAILURE_THRESHOLD;
  log.info({ tasks: manifest.taskCount, ...limits }, 'provisioning');
  const outcome = await executePlan(manifest, plan, {
    client,
    retry: traffic.retry,
    workers: Math.min(256, limits.concurrency * 2),
    threshold,
    onExists: manifest.options.on_exists,
    signal: req.signal,
    stopSignal: req.deadline,
    done: settled,
    onResult: (r) => req.observer?.result?.(r, { final: isFinal(r), stats: counts() }),
  });
  if (outcome.stopped === 'deadline') {
    await req.observer?.settled?.({ stats: counts(), manifestSha256: sha256, notes });
    log.info({ settled: outcome.results.filter(isFinal).length }, 'deadline near: suspending the run');
    return { kind: 'suspended', runId, stats: counts() };
  }

  // 5. Report and write.
  const aborted = outcome.stopped && stopMessage(outcome.stopped, threshold, outcome.authError);
  const failedYaml = rerunManifest(manifest, plan.entries, outcome.results, { uri, runId });
  return finish(outcome.results, aborted ? { aborted } : {}, { plan, manifest, failedYaml });
}

function problemToError(p: Problem): ManifestError {
  return { message: p.message, file: p.file, line: p.line, column: p.column, task: p.taskName, hint: p.hint };
}

/** How a failure before any write ends the run: bad configuration rejects it, FDI refusing aborts it. */
function planningFailure(err: unknown): { ending: Ending; reason: string } {
  const end = (kind: 'rejected' | 'aborted', reason: string) => ({ ending: { [kind]: reason }, reason });
  if (err instanceof UserError) return end('rejected', err.message);
  if (!(err instanceof FdiError)) throw err;
  if (err.status === 401)
    return end('aborted', `authentication failed (${err.errorCode ?? 'HTTP 401'}): check the FDI credentials`);
  if (err.status === 404) {
    const detail = err.errorMsg ?? err.errorCode ?? 'HTTP 404';
    return end(
      'rejected',
      `not found while reading the instance (${err.operation}): check the project and instance IDs (${detail})`,
    );
  }
  return end('aborted', `could not read the instance before provisioning: ${err.message}`);
}

function stopMessage(reason: StopReason, threshold: FailureThreshold, authError?: FdiError): string {
  switch (reason) {
    case 'threshold':
      return `more than ${threshold.percent}% of the attempted tasks failed (after at least ${threshold.min_attempted}); the rest were not attempted`;
    case 'auth': {
      const why = `${authError?.errorCode ?? 'HTTP 401'}${authError?.errorMsg ? `: ${authError.errorMsg}` : ''}`;
      return `authentication failed (${why}); the run stopped at once`;
    }
    case 'deadline':
      return 'the deadline was reached; the rest were not attempted';
    case 'signal':
      return 'the run was interrupted; the rest were not attempted';
  }
}
