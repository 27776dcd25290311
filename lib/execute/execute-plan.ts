/**
 * Executes a plan: workers pull rendered tasks one at a time from the manifest's lazy stream (so memory
 * holds only what is in flight), carry each out (run-task.ts), and batch the starts. The run's state —
 * results, the failure count, why it stopped — lives in one `Execution` and changes only through its
 * methods. Dispatching stops on the failure threshold, refused credentials, the deadline or a signal;
 * what was not attempted is reported as such. One bad task never fails the run.
 */
import { setMaxListeners } from 'node:events';
import type { FdiClient } from '../fdi/client/client.js';
import { isAuthFailure, type FdiError } from '../fdi/client/fdi-error.js';
import type { CompiledManifest, ExpandedTask, ManifestOptions } from '../manifest/index.js';
import type { AppliedTask } from '../plan/applied.js';
import type { Plan, PlanEntry } from '../plan/types.js';
import type { TaskResult } from '../report/types.js';
import type { RetryContext } from '../traffic/with-retry.js';
import type { StopReason, Target } from '../types.js';
import { StartBatcher, type StepOutcome } from './post-steps.js';
import { plannedResults, stepFailure } from './results.js';
import { runTask, type TaskOutcome } from './run-task.js';
import { destroyTask } from './delete-task.js';
import { DEFAULT_FAILURE_THRESHOLD, thresholdExceeded, type FailureThreshold } from './threshold.js';
import { runWorkers } from './workers.js';

export interface ExecuteOptions {
  client: FdiClient;
  retry: Omit<RetryContext, 'signal'>;
  /** Requests in flight at most (the scheduler's cap); twice as many tasks are worked on at once. */
  concurrency: number;
  /**
   * The manifest's options that execution follows: `on_exists` (what a task someone else created after
   * planning means) and `failure_threshold` (default: more than 50% of at least 20 attempted fail).
   */
  options: Pick<ManifestOptions, 'on_exists' | 'failure_threshold'>;
  /** Hard stop: in-flight requests are aborted (SIGINT, the invocation about to die). */
  signal?: AbortSignal | undefined;
  /** Soft stop: no new task is started; in-flight ones finish (the deadline nears). */
  deadline?: AbortSignal | undefined;
  /** Results already final from earlier invocations (checkpoint): not redone. */
  earlier?: ReadonlyMap<number, TaskResult> | undefined;
  /** Called with each result as it becomes known (progress, checkpoints). */
  onResult?: ((result: TaskResult) => void) | undefined;
  /** Called with the record of each write FDI answered, and each refresh planning made (lib/plan/applied.ts). */
  onApplied?: ((entry: PlanEntry, record: AppliedTask) => void) | undefined;
  /** The clock of the records. */
  now?: (() => Date) | undefined;
}

export interface ExecuteOutcome {
  results: TaskResult[];
  stopped?: StopReason | undefined;
  /** Why dispatching stopped early, in one sentence for the report. */
  reason?: string | undefined;
}

export async function executePlan(
  manifest: CompiledManifest,
  plan: Plan,
  opts: ExecuteOptions,
): Promise<ExecuteOutcome> {
  const run = new Execution(plan, opts);
  const starter = new StartBatcher(opts.client, run.retry);
  const stopper = new StartBatcher(opts.client, run.retry, 'stop');
  const ctx = {
    client: opts.client,
    retry: run.retry,
    stopping: () => run.stopping(),
    onExists: opts.options.on_exists,
    applied: opts.onApplied,
    now: opts.now ?? (() => new Date()),
  };
  const destroying = { ...ctx, stop: (t: Target, id: string) => stopper.add(t, id) };
  // Twice the request cap: a task between its requests never leaves a slot idle (at most 256 in hand).
  const workers = Math.min(256, opts.concurrency * 2);
  try {
    await runWorkers(pending(manifest, plan, opts.earlier), workers, ctx.stopping, async ({ task, entry }) => {
      if (DESTROY_ACTIONS.has(entry.action)) {
        return run.record(await destroyTask(opts.client, entry, destroying));
      }
      const outcome = await runTask(task, entry, ctx);
      if (!outcome.start) return run.record(outcome);
      // Starts go out in batches of 10; the worker moves on instead of waiting for its batch to fill.
      run.track(starter.add(entry.target, outcome.result.task_id!).then((step) => run.record(started(outcome, step))));
    });
    await Promise.all([starter.flush(), stopper.flush()]);
    await run.drain();
  } finally {
    run.dispose();
  }
  return run.outcome();
}

/** The actions of a destroy plan (docs/DESTROY.md). */
const DESTROY_ACTIONS: ReadonlySet<PlanEntry['action']> = new Set(['delete', 'absent', 'foreign']);

/** The tasks still to do, in manifest order, each with its plan entry. */
function* pending(
  manifest: CompiledManifest,
  plan: Plan,
  earlier: ReadonlyMap<number, TaskResult> | undefined,
): Generator<{ task: ExpandedTask; entry: PlanEntry }> {
  for (const task of manifest.tasks()) {
    const entry = plan.entries[task.index];
    if (entry && !earlier?.has(task.index)) yield { task, entry };
  }
}

function started(outcome: TaskOutcome, step: StepOutcome): TaskOutcome {
  if (step.ok) return { ...outcome, start: false, result: { ...outcome.result, started: true, start: 'started' } };
  return { ...outcome, start: false, result: stepFailure(outcome.result, 'start', step.error), error: step.error };
}

/** The state of one execution; every change goes through a method. */
class Execution {
  readonly retry: RetryContext;
  readonly #results: TaskResult[];
  readonly #opts: ExecuteOptions;
  readonly #threshold: FailureThreshold;
  /** Aborts every in-flight request: the caller's hard stop, or refused credentials. */
  readonly #hard = new AbortController();
  readonly #counts = { attempted: 0, failed: 0 };
  readonly #inFlight = new Set<Promise<void>>();
  #stopped: StopReason | undefined;
  #authError: FdiError | undefined;
  readonly #onOuterAbort = () => this.#hard.abort(this.#opts.signal?.reason);

  constructor(plan: Plan, opts: ExecuteOptions) {
    this.#opts = opts;
    this.#threshold = opts.options.failure_threshold ?? DEFAULT_FAILURE_THRESHOLD;
    // Every task waiting in a backoff listens on this one signal.
    setMaxListeners(0, this.#hard.signal);
    opts.signal?.addEventListener('abort', this.#onOuterAbort, { once: true });
    if (opts.signal?.aborted) this.#hard.abort(opts.signal.reason);
    this.retry = { ...opts.retry, signal: this.#hard.signal };
    this.#results = plannedResults(plan.entries, opts.earlier);
  }

  /** True once the run stops dispatching; notices the caller's signals. */
  stopping(): boolean {
    if (this.#stopped) return true;
    if (this.#hard.signal.aborted) this.#stopped = 'signal';
    else if (this.#opts.deadline?.aborted) this.#stopped = 'deadline';
    return this.#stopped !== undefined;
  }

  /** Takes a task's outcome: its result, the threshold, and a stop when FDI refused the credentials. */
  record(outcome: TaskOutcome): void {
    if (outcome.error && isAuthFailure(outcome.error)) {
      this.#stopped = 'auth';
      this.#authError ??= outcome.error;
      // Requests in flight or waiting end as aborted calls, not as this task's 401.
      this.#hard.abort(new Error('FDI refused the credentials'));
    }
    const r = outcome.result;
    this.#results[r.index] = r;
    if (outcome.wrote && r.status !== 'not_attempted') {
      this.#counts.attempted += 1;
      if (r.status === 'failed') this.#counts.failed += 1;
      if (!this.#stopped && thresholdExceeded(this.#counts, this.#threshold)) this.#stopped = 'threshold';
    }
    this.#opts.onResult?.(r);
  }

  /** Keeps a task's pending step (its start) until `drain`. */
  track(step: Promise<void>): void {
    const p = step.finally(() => this.#inFlight.delete(p));
    this.#inFlight.add(p);
  }

  async drain(): Promise<void> {
    await Promise.all([...this.#inFlight]);
  }

  outcome(): ExecuteOutcome {
    const stopped = this.#stopped;
    return {
      results: this.#results,
      stopped,
      reason: stopped && describeStop(stopped, this.#threshold, this.#authError),
    };
  }

  dispose(): void {
    this.#opts.signal?.removeEventListener('abort', this.#onOuterAbort);
  }
}

/** Why execution stopped early, in one sentence for the report. */
function describeStop(reason: StopReason, threshold: FailureThreshold, authError?: FdiError): string {
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
