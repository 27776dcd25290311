/**
 * Checkpoints and continuations: while a run goes, its final results are saved every 100 results or
 * 10 s; when the invocation's deadline nears, the run suspends, the checkpoint is saved, and a
 * continuation object (which the bucket notifies the function of) makes the next invocation resume it.
 */
import type { Logger } from '../logger.js';
import type { TaskResult } from '../report/types.js';
import type { Resume, RunState } from '../run-types.js';
import type { LearnedQuota } from '../traffic/quota-message.js';
import { NO_REQUESTS } from '../types.js';
import { continuationName, type Checkpoint, type Continuation, type Lock, type StateFolder } from './state.js';

const CHECKPOINT_EVERY = { results: 100, ms: 10_000 };

/** The checkpoint of a run that has saved none yet. */
export function freshCheckpoint(lock: Lock, invocation: number): Checkpoint {
  return {
    run_id: lock.owner,
    started_at: lock.started_at,
    invocation,
    bucket: lock.bucket,
    key: lock.key,
    upload_id: lock.upload_id,
    requested_by: lock.requested_by,
    version_id: lock.version_id,
    operation: lock.operation,
    stats: { ...NO_REQUESTS },
    results: [],
  };
}

/** Where the orchestrator picks the run up: the checkpoint, and this invocation's notes after the earlier ones. */
export function resumeOf(checkpoint: Checkpoint, notes: readonly string[]): Resume {
  return {
    runId: checkpoint.run_id,
    startedAt: new Date(checkpoint.started_at),
    invocation: checkpoint.invocation,
    results: checkpoint.results,
    stats: checkpoint.stats,
    notes: [...new Set([...(checkpoint.notes ?? []), ...notes])],
    manifestSha256: checkpoint.manifest_sha256,
    learnedQuota: learnedOf(checkpoint),
    timeline: checkpoint.timeline,
  };
}

/** The checkpoint's learned quota, if it holds a usable one (an older or damaged checkpoint may not). */
function learnedOf(checkpoint: Checkpoint): LearnedQuota | undefined {
  const q = checkpoint.learned_quota;
  if (!q || !(q.limit > 0) || !(q.period_s > 0)) return undefined;
  return { limit: q.limit, periodSeconds: q.period_s };
}

/** Keeps the checkpoint of an invocation up to date; saves are serialised and never fail the run. */
export class CheckpointWriter {
  readonly #done: Map<number, TaskResult>;
  #sinceSave = 0;
  #lastSave = Date.now();
  #saving: Promise<void> = Promise.resolve();

  /** `notes`: the run's notes so far, earlier invocations' and this one's. */
  constructor(
    private readonly state: StateFolder,
    private readonly checkpoint: Checkpoint,
    notes: readonly string[],
    private readonly log: Logger,
  ) {
    this.#done = new Map(checkpoint.results.map((r) => [r.index, r]));
    this.checkpoint.notes = [...notes];
  }

  /** How many tasks have a final result, earlier invocations' included (the heartbeat's progress). */
  get done(): number {
    return this.#done.size;
  }

  /** A task's result: a final one is kept, and the checkpoint saved every 100 such results or 10 s. */
  record(result: TaskResult, progress: { final: boolean; state: () => RunState }): void {
    if (!progress.final) return;
    this.#done.set(result.index, result);
    this.#sinceSave += 1;
    if (this.#sinceSave < CHECKPOINT_EVERY.results && Date.now() - this.#lastSave < CHECKPOINT_EVERY.ms) return;
    this.#take(progress.state());
    void this.#save();
  }

  /** Every result is in: the run's counters, manifest hash and notes are saved with them. */
  async settle(state: RunState): Promise<void> {
    this.#take(state);
    await this.#save();
  }

  #take(state: RunState): void {
    this.checkpoint.stats = state.stats;
    this.checkpoint.manifest_sha256 = state.manifestSha256;
    this.checkpoint.notes = [...state.notes];
    const q = state.learnedQuota;
    this.checkpoint.learned_quota = q ? { limit: q.limit, period_s: q.periodSeconds } : this.checkpoint.learned_quota;
    this.checkpoint.timeline = state.timeline ?? this.checkpoint.timeline;
  }

  #save(): Promise<void> {
    const snapshot: Checkpoint = { ...this.checkpoint, results: [...this.#done.values()] };
    this.#saving = this.#saving
      .then(() => this.state.put('checkpoint.json', snapshot))
      .catch((err: unknown) => this.log.warn({ err: (err as Error).message }, 'checkpoint not saved'));
    this.#sinceSave = 0;
    this.#lastSave = Date.now();
    return this.#saving;
  }

  /** Writes the object that triggers the next invocation; returns its key. */
  async continueInNextInvocation(): Promise<{ key: string; invocation: number }> {
    const c = this.checkpoint;
    const next: Continuation = {
      bucket: c.bucket,
      key: c.key,
      upload_id: c.upload_id,
      run_id: c.run_id,
      invocation: c.invocation + 1,
    };
    await this.state.put(continuationName(next.invocation), next);
    return { key: this.state.key(continuationName(next.invocation)), invocation: next.invocation };
  }
}
