/**
 * The orchestrator, and the only module that knows the order of the stages:
 *
 *   read → compile → plan → execute → report → write
 *
 * Its inputs are injected (docs/ARCHITECTURE.md): a manifest reader, a report sink, an FDI connector,
 * a logger and a clock. The command line and the upload trigger are adapters that build them; neither
 * reads a manifest nor writes a report itself. `plan` and `apply` share the path up to the plan, and
 * `apply` then executes it. Every apply run writes its report, rejected and aborted ones too, unless
 * it suspends at its deadline to be continued by a later invocation (run-record.ts keeps the run's
 * state and writes the report).
 */
import { effectiveLimits, type Config } from './config.js';
import { executePlan } from './execute/execute-plan.js';
import { isFinal, notAttempted } from './execute/results.js';
import { DEFAULT_FAILURE_THRESHOLD } from './execute/threshold.js';
import type { FdiClient } from './fdi/client/client.js';
import type { FdiConnector } from './fdi/client/connect.js';
import type { Logger } from './logger.js';
import { compileSource, type CompiledManifest } from './manifest/index.js';
import { planRun } from './plan/plan-run.js';
import { collectTargets } from './plan/targets.js';
import type { Plan } from './plan/types.js';
import { rerunManifest } from './report/failed-manifest.js';
import type { TaskResult } from './report/types.js';
import {
  manifestGone,
  manifestRejected,
  noTargets,
  planningFailed,
  RunRecord,
  stopped,
  type Ending,
  type Finished,
  type Settle,
} from './run-record.js';
import type { ManifestReader } from './storage/manifest-reader.js';
import type { ReportSink } from './storage/report-sink.js';
import { createTraffic } from './traffic/run-traffic.js';
import type { RetryContext } from './traffic/with-retry.js';
import { addCounts, NO_REQUESTS, systemClock, type Clock, type RequestCounts, type Target } from './types.js';

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
  settled?: Settle;
}

export interface RunDeps {
  reader: ManifestReader;
  /** Where an apply run writes its report; a plan run writes nothing. */
  sink?: ReportSink | undefined;
  fdi: FdiConnector;
  logger: Logger;
  clock?: Clock | undefined;
}

export type RunOutcome = Finished | { kind: 'suspended'; runId: string; stats: RequestCounts };

export async function runManifest(req: RunRequest, deps: RunDeps): Promise<RunOutcome> {
  const { mode, config, resume } = req;
  const clock = deps.clock ?? systemClock;
  const run = new RunRecord(
    deps.reader.uri,
    config,
    { clock, logger: deps.logger, sink: deps.sink, settle: req.observer?.settled },
    resume,
  );
  const settled = new Map((resume?.results ?? []).filter(isFinal).map((r) => [r.index, r]));

  // 1. Read.
  const source = await deps.reader.read();
  if (!source) return run.finish(mode, [], manifestGone(run.uri));
  run.read(source);

  // 2. Compile: parse, validate, expand. Nothing is sent unless the whole manifest is valid.
  const { manifest, problems } = compileSource(source);
  if (!manifest || problems.length) {
    run.log.warn({ problems: problems.length }, 'manifest rejected');
    return run.finish(mode, [], manifestRejected(problems));
  }
  run.compiled(manifest);
  const { targets, missing } = collectTargets(manifest, config);
  if (missing.length) return run.finish(mode, [], noTargets(missing), { manifest });

  // 3. Plan, read-only: existing tasks and data sources, one paged listing per instance.
  const limits = effectiveLimits(config, manifest.options);
  const traffic = createTraffic(limits, { signal: req.signal, log: run.log });
  run.countWith(() => addCounts(resume?.stats ?? NO_REQUESTS, traffic.counts()));
  const resumed = (resume?.invocation ?? 1) > 1;
  const planned = await connectAndPlan(manifest, targets, {
    config,
    connect: () => deps.fdi(config, traffic.scheduler, limits),
    retry: traffic.retry,
    settled: resumed ? new Set(settled.keys()) : undefined,
  });
  if ('ending' in planned) {
    run.log.error({ err: planned.ending.rejected ?? planned.ending.aborted }, 'planning failed');
    return run.finish(mode, [], planned.ending, { manifest });
  }
  const { client, plan } = planned;
  req.observer?.planned?.(plan, manifest);
  const unsettled = () => plan.entries.map((e) => settled.get(e.index) ?? notAttempted(e));
  if (mode === 'plan') return run.finish(mode, unsettled(), {}, { plan, manifest });
  if (plan.blockers.length) {
    run.log.warn({ blockers: plan.blockers }, 'plan rejected');
    return run.finish(mode, unsettled(), { rejected: plan.blockers.join('; ') }, { plan, manifest });
  }

  // 4. Execute.
  const threshold = manifest.options.failure_threshold ?? DEFAULT_FAILURE_THRESHOLD;
  run.log.info({ tasks: manifest.taskCount, ...limits }, 'provisioning');
  const outcome = await executePlan(manifest, plan, {
    client,
    retry: traffic.retry,
    workers: Math.min(256, limits.concurrency * 2),
    threshold,
    onExists: manifest.options.on_exists,
    signal: req.signal,
    stopSignal: req.deadline,
    done: settled,
    onResult: (r) => req.observer?.result?.(r, { final: isFinal(r), stats: run.counts }),
  });
  if (outcome.stopped === 'deadline') {
    await run.suspend();
    run.log.info({ settled: outcome.results.filter(isFinal).length }, 'deadline near: suspending the run');
    return { kind: 'suspended', runId: run.runId, stats: run.counts };
  }

  // 5. Report and write.
  const ending = outcome.stopped ? stopped(outcome.stopped, threshold, outcome.authError) : {};
  const failedYaml = rerunManifest(manifest, plan.entries, outcome.results, { uri: run.uri, runId: run.runId });
  return run.finish(mode, outcome.results, ending, { plan, manifest, failedYaml });
}

/** Step 3 without its ending: the client, and the plan; a failure to read FDI is how the run ends. */
async function connectAndPlan(
  manifest: CompiledManifest,
  targets: Target[],
  ctx: { config: Config; connect: () => FdiClient; retry: RetryContext; settled: ReadonlySet<number> | undefined },
): Promise<{ client: FdiClient; plan: Plan } | { ending: Ending }> {
  try {
    const client = ctx.connect();
    const plan = await planRun(manifest, targets, {
      client,
      retry: ctx.retry,
      defaults: ctx.config,
      settled: ctx.settled,
    });
    return { client, plan };
  } catch (err) {
    return { ending: planningFailed(err) };
  }
}
