/**
 * The orchestrator, and the only module that knows the order of the stages:
 *
 *   read → compile → plan → execute → report → write
 *
 * Its inputs are injected (docs/ARCHITECTURE.md, "The orchestrator's inputs"; the types are in
 * run-types.ts): a manifest reader, an FDI connector, a logger and a clock, and for `apply` a report
 * sink. The command line and the upload trigger are adapters that build them; neither reads a manifest
 * nor writes a report itself. `plan` and `apply` share the path up to the plan, and `apply` then
 * executes it. Every apply run writes its report, rejected and aborted ones too, unless it suspends
 * at its deadline to be continued by a later invocation. run-record.ts keeps the run's state and
 * writes the report.
 */
import { effectiveLimits, type Config } from './config.js';
import { executePlan, type ExecuteOutcome } from './execute/execute-plan.js';
import { toVerify, verifyExecutions, VERIFY_CLOCK_SLACK_MS, type VerifyOptions } from './execute/verify.js';
import { allNotAttempted, isFinal, plannedResults } from './execute/results.js';
import type { FdiClient } from './fdi/client/client.js';
import { compileSource, type CompiledManifest } from './manifest/index.js';
import { runNotice } from './notify/index.js';
import { planDestroy } from './plan/destroy-plan.js';
import { planRun } from './plan/plan-run.js';
import { boundedLimits, judgeManifest } from './policy/judge.js';
import type { Policy } from './policy/policy.js';
import { collectTargets } from './plan/targets.js';
import type { Plan } from './plan/types.js';
import { rerunManifest } from './report/failed-manifest.js';
import {
  manifestGone,
  manifestRejected,
  noTargets,
  planBlocked,
  planningFailed,
  policyRefused,
  policyUnusable,
  RunRecord,
  type Ending,
} from './run-record.js';
import type { ApplyRequest, Finished, PlanRequest, RunDeps, RunOutcome, RunRequest } from './run-types.js';
import type { Report, TaskResult, VerifySummary } from './report/types.js';
import { createTraffic } from './traffic/run-traffic.js';
import type { RetryContext } from './traffic/with-retry.js';
import { systemClock, targetKey, type Target } from './types.js';
import type { AppliedTask, AppliedTasks } from './plan/applied.js';
import type { AppliedStore } from './storage/applied-store.js';

/** Plan only: never writes, never suspends. */
export function runManifest(req: PlanRequest, deps: RunDeps): Promise<Finished>;
/** Apply without a deadline: it finishes (its report written), however it ends. */
export function runManifest(req: ApplyRequest & { deadline?: undefined }, deps: RunDeps): Promise<Finished>;
/** Apply with a deadline: it finishes, or suspends for a later invocation. */
export function runManifest(req: RunRequest, deps: RunDeps): Promise<RunOutcome>;
export async function runManifest(req: RunRequest, deps: RunDeps): Promise<RunOutcome> {
  const outcome = await runStages(req, deps);
  // 7. Tell: the report is written, the run has ended (a suspended invocation has not; a plan writes nothing).
  if (outcome.kind === 'finished' && outcome.written) await notifyEnd(outcome.report, outcome.written.location, deps);
  return outcome;
}

/** The stages, in order; every way out of them but a suspension is a finished run with its report. */
async function runStages(req: RunRequest, deps: RunDeps): Promise<RunOutcome> {
  const { config } = req;
  const run = new RunRecord(deps.reader.uri, req, { clock: deps.clock ?? systemClock, logger: deps.logger });
  req.observer?.started?.({ runId: run.runId, startedAt: run.startedAt });
  const { resume } = run;
  // Final results of earlier invocations of this run: left alone.
  const earlier = new Map((resume?.results ?? []).filter(isFinal).map((r) => [r.index, r]));

  // 0. The operator's policy, read first: one that cannot be used refuses the run (fails closed).
  let policy: Policy | undefined;
  try {
    policy = await deps.policy?.load();
  } catch (err) {
    return run.finish([], policyUnusable(err));
  }
  if (policy) run.governedBy(policy.origin, undefined);

  // 1. Read.
  const source = await deps.reader.read();
  if (!source) return run.finish([], manifestGone(run.uri));
  run.read(source);

  // 2. Compile: parse, validate, expand. Nothing is sent unless the whole manifest is valid.
  const { manifest, problems } = compileSource(source);
  if (!manifest || problems.length) return run.finish([], manifestRejected(problems));
  run.compiled(manifest);
  const { targets, missing } = collectTargets(manifest, config);
  if (missing.length) return run.finish(allNotAttempted(manifest, config, earlier), noTargets(missing), { manifest });

  // The policy's rule for the manifest's key: a manifest that breaks it is refused before anything is sent.
  const operation = req.operation ?? 'apply';
  const judged =
    policy && deps.policy ? judgeManifest(policy, deps.policy.key, manifest, config, operation) : undefined;
  if (policy && judged) run.governedBy(policy.origin, judged.rule?.prefix);
  if (judged?.errors.length) {
    const ending = policyRefused(judged.errors, judged.rule?.prefix);
    return run.finish(allNotAttempted(manifest, config, earlier), ending, { manifest });
  }

  // 3. Plan, read-only: existing tasks and data sources, one paged listing per instance.
  const limits = boundedLimits(effectiveLimits(config, manifest.options), judged?.rule);
  const traffic = createTraffic(limits, {
    signal: req.signal,
    log: run.log,
    // The gateway's burst, the operator's setting; a policy rule's max_rate is per second, burst or not.
    burst: judged?.rule?.max_rate === undefined ? config.burst : 0,
    learned: resume?.learnedQuota,
    onLearned: (note) => run.notes.push(note),
    timeline: run.timeline,
  });
  run.countWith(traffic.counts, traffic.learned);
  const clock = deps.clock ?? systemClock;
  const applied = await loadApplied(deps.applied, targets, run);
  const planned = await connectAndPlan(manifest, targets, {
    config,
    connect: () => deps.fdi(config, traffic.scheduler, limits),
    destroy: operation === 'destroy' ? { force: req.force ?? false } : undefined,
    retry: traffic.retry,
    earlier: resume && resume.invocation > 1 ? new Set(earlier.keys()) : undefined,
    applied,
    now: () => clock.now(),
  });
  if (planned.kind === 'failed')
    return run.finish(allNotAttempted(manifest, config, earlier), planned.ending, { manifest });
  const { client, plan } = planned;
  const asPlanned = () => plannedResults(plan.entries, earlier);
  if (req.mode === 'plan') return run.finish(asPlanned(), {}, { plan, manifest });
  if (plan.blockers.length) return run.finish(asPlanned(), planBlocked(plan), { plan, manifest });

  // 4. Execute.
  req.observer?.planned?.(plan, manifest);
  run.log.info({ tasks: manifest.taskCount, ...limits }, 'provisioning');
  const writes = new AppliedWrites();
  const outcome = await executePlan(manifest, plan, {
    client,
    retry: traffic.retry,
    concurrency: limits.concurrency,
    options: manifest.options,
    signal: req.signal,
    deadline: req.deadline,
    earlier,
    onResult: (r) => {
      const final = isFinal(r);
      if (final) run.timeline.add('done');
      req.observer?.result?.(r, { final, state: () => run.state });
    },
    onApplied: (entry, record) => writes.add(entry.target, entry.name, record),
    now: () => clock.now(),
  });
  await saveApplied(deps.applied, writes, run);
  if (outcome.stopped === 'deadline') {
    await run.suspend();
    run.log.info({ final: outcome.results.filter(isFinal).length }, 'deadline near: suspending the run');
    return { kind: 'suspended', runId: run.runId, stats: run.state.stats };
  }

  // 5. Verify: how the executions of the tasks the run started or ran end (docs/VERIFY.md).
  const verified = await verifyStage(outcome, req, manifest.options.verify, {
    client,
    retry: traffic.retry,
    since: run.startedAt.getTime() - VERIFY_CLOCK_SLACK_MS,
    now: () => clock.now(),
  });

  // 6. Report and write.
  const origin = { uri: run.uri, runId: run.runId, path: req.sink.path, operation };
  const failedYaml = rerunManifest(manifest, plan.entries, verified.results, origin);
  const ending = { aborted: outcome.reason, verify: verified.summary };
  return run.finish(verified.results, ending, { plan, manifest, failedYaml });
}

/**
 * Step 7: the run's end, told to `deps.notify` (the operator's webhook, when one is configured).
 * Bounded by the notice's own timeout; whatever happens, the outcome stands.
 */
async function notifyEnd(report: Report, location: string, deps: RunDeps): Promise<void> {
  if (!deps.notify) return;
  try {
    await deps.notify(runNotice(report, location));
  } catch (err) {
    deps.logger.warn({ run_id: report.run_id, error: (err as Error).name }, 'run-end notice not delivered');
  }
}

/**
 * Step 5: when asked (the request's `verify`, else the manifest's `options.verify` in seconds), and the
 * run's execution ran its course, wait for the executions of the tasks it started or ran.
 */
async function verifyStage(
  outcome: ExecuteOutcome,
  req: ApplyRequest,
  manifestSeconds: number | undefined,
  ctx: Pick<VerifyOptions, 'client' | 'retry' | 'since' | 'now'>,
): Promise<{ results: TaskResult[]; summary?: VerifySummary | undefined }> {
  const timeoutMs = req.verify?.timeoutMs ?? (manifestSeconds !== undefined ? manifestSeconds * 1000 : undefined);
  if (timeoutMs === undefined || outcome.stopped || req.operation === 'destroy') return { results: outcome.results };
  const count = outcome.results.filter(toVerify).length;
  req.observer?.verifying?.(count, new Date(ctx.now().getTime() + timeoutMs));
  const { results, summary } = await verifyExecutions(outcome.results, {
    ...ctx,
    timeoutMs,
    signal: req.signal,
    deadline: req.deadline,
    onLook: (settled, total) => req.observer?.verified?.(settled, total),
  });
  return { results, summary };
}

/** The records of the last applies to the targets (none without a store); a store that fails is a note. */
async function loadApplied(
  store: AppliedStore | undefined,
  targets: Target[],
  run: RunRecord,
): Promise<Map<string, AppliedTasks> | undefined> {
  if (!store) return undefined;
  const { records, warnings } = await store.load(targets);
  for (const w of warnings) noteWarning(run, w);
  return records;
}

/** Keeps what this run applied (also when it stops or suspends: each record is of a write FDI answered). */
async function saveApplied(store: AppliedStore | undefined, writes: AppliedWrites, run: RunRecord): Promise<void> {
  if (!store || writes.empty) return;
  for (const w of await store.save(writes.byTarget)) noteWarning(run, w);
}

function noteWarning(run: RunRecord, warning: string): void {
  run.log.warn(warning);
  run.notes.push(warning);
}

/** The records a run makes, per target and task name. */
class AppliedWrites {
  readonly byTarget = new Map<string, { target: Target; tasks: Map<string, AppliedTask> }>();

  add(target: Target, name: string, record: AppliedTask): void {
    const key = targetKey(target);
    const t = this.byTarget.get(key) ?? { target, tasks: new Map<string, AppliedTask>() };
    t.tasks.set(name, record);
    this.byTarget.set(key, t);
  }

  get empty(): boolean {
    return this.byTarget.size === 0;
  }
}

/** Step 3 without its ending: the client and the plan; a failure to read FDI is how the run ends. */
async function connectAndPlan(
  manifest: CompiledManifest,
  targets: Target[],
  ctx: {
    config: Config;
    connect: () => FdiClient;
    retry: RetryContext;
    earlier: ReadonlySet<number> | undefined;
    applied: ReadonlyMap<string, AppliedTasks> | undefined;
    now: () => Date;
    /** A destroy run's plan (docs/DESTROY.md) instead of an apply's. */
    destroy?: { force: boolean } | undefined;
  },
): Promise<{ kind: 'planned'; client: FdiClient; plan: Plan } | { kind: 'failed'; ending: Ending }> {
  try {
    const client = ctx.connect();
    const planCtx = {
      client,
      retry: ctx.retry,
      defaults: ctx.config,
      earlier: ctx.earlier,
      applied: ctx.applied,
      now: ctx.now,
    };
    const plan = ctx.destroy
      ? await planDestroy(manifest, targets, { ...planCtx, force: ctx.destroy.force })
      : await planRun(manifest, targets, planCtx);
    return { kind: 'planned', client, plan };
  } catch (err) {
    return { kind: 'failed', ending: planningFailed(err) };
  }
}
