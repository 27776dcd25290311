/**
 * After a task exists: its schedule (a dispatch, for TIMING tasks that declare one) and its start
 * (batched, at most 10 IDs per call). Each step is idempotent, so a re-run finishes what is missing.
 */
import type { FdiClient } from '../fdi/client/client.js';
import { targetKey, type Target } from '../types.js';
import { FdiError } from '../fdi/client/fdi-error.js';
import { MAX_BATCH_IDS, type TaskDispatch, type TaskDispatchRsp } from '../fdi/model/api.js';
import { scheduleChanges } from '../plan/diff.js';
import { findDispatch } from '../plan/reads.js';
import { withRetry, type RetryContext } from '../traffic/with-retry.js';

export type StepOutcome = { ok: true } | { ok: false; error: FdiError };

/** What a schedule step did. */
export type ScheduleDone = 'created' | 'updated' | 'unchanged';

/** The same schedule: every field the product sets, in both directions (a removed timezone is a change). */
function sameSchedule(have: TaskDispatchRsp, want: TaskDispatch): boolean {
  return scheduleChanges(have, want).length === 0;
}

/** Replaces a task's schedule with the manifest's (PUT sends the whole schedule). */
export async function updateDispatch(
  client: FdiClient,
  target: Target,
  taskId: string,
  dispatchId: string,
  want: TaskDispatch,
  retry: RetryContext,
): Promise<StepOutcome & { done?: ScheduleDone }> {
  try {
    await withRetry(() => client.updateDispatch(target, taskId, dispatchId, want, retry.signal), retry);
    return { ok: true, done: 'updated' };
  } catch (err) {
    if (err instanceof FdiError) return { ok: false, error: err };
    throw err;
  }
}

/**
 * Makes sure the task has the wanted schedule. `knownAbsent` skips the first lookup for a task created
 * a moment ago. A POST that fails ambiguously is checked with a GET before it is repeated.
 */
export async function ensureDispatch(
  client: FdiClient,
  target: Target,
  taskId: string,
  want: TaskDispatch,
  retry: RetryContext,
  knownAbsent: boolean,
): Promise<StepOutcome & { done?: ScheduleDone }> {
  try {
    const have = knownAbsent ? undefined : await findDispatch(client, target, taskId, retry);
    if (have) {
      if (sameSchedule(have, want)) return { ok: true, done: 'unchanged' };
      await withRetry(() => client.updateDispatch(target, taskId, have.dispatch_id, want, retry.signal), retry);
      return { ok: true, done: 'updated' };
    }
    await withRetry(async () => {
      try {
        await client.createDispatch(target, taskId, want, retry.signal);
      } catch (err) {
        // An earlier attempt may have been stored: look before repeating.
        if (err instanceof FdiError && err.mayHaveReachedServer && (await findDispatch(client, target, taskId, retry)))
          return;
        throw err;
      }
    }, retry);
    return { ok: true, done: 'created' };
  } catch (err) {
    if (err instanceof FdiError) return { ok: false, error: err };
    throw err;
  }
}

interface Pending {
  taskId: string;
  resolve: (o: StepOutcome) => void;
}

/** How long a partial batch waits for more tasks before it is sent anyway. */
const LINGER_MS = 250;

/**
 * What a batch answer's per-task failure may say without the task having failed: starting one that
 * runs already, stopping one that does not run.
 */
const HARMLESS: Record<'start' | 'stop', RegExp> = {
  start: /already|running/i,
  stop: /not running|stopped/i,
};

/**
 * Collects tasks to start (or stop) per target and sends them in batches of 10 (a partial batch after
 * a short linger).
 */
export class StartBatcher {
  readonly #queues = new Map<string, { target: Target; items: Pending[]; timer?: NodeJS.Timeout | undefined }>();
  readonly #inflight = new Set<Promise<void>>();

  constructor(
    private readonly client: FdiClient,
    private readonly retry: RetryContext,
    private readonly action: 'start' | 'stop' = 'start',
  ) {}

  /** Queues a start (or stop); resolves when its batch has been sent. */
  add(target: Target, taskId: string): Promise<StepOutcome> {
    return new Promise((resolve) => {
      const key = targetKey(target);
      const q = this.#queues.get(key) ?? { target, items: [] };
      q.items.push({ taskId, resolve });
      this.#queues.set(key, q);
      if (q.items.length >= MAX_BATCH_IDS) this.#drain(q);
      else q.timer ??= setTimeout(() => this.#drain(q), LINGER_MS);
    });
  }

  /** Sends every partial batch and waits for all batches. */
  async flush(): Promise<void> {
    for (const q of this.#queues.values()) this.#drain(q);
    while (this.#inflight.size) await Promise.all([...this.#inflight]);
  }

  #drain(q: { target: Target; items: Pending[]; timer?: NodeJS.Timeout | undefined }): void {
    clearTimeout(q.timer);
    q.timer = undefined;
    while (q.items.length) this.#send(q.target, q.items.splice(0, MAX_BATCH_IDS));
  }

  #send(target: Target, items: Pending[]): void {
    const p = this.#start(target, items).finally(() => this.#inflight.delete(p));
    this.#inflight.add(p);
  }

  async #start(target: Target, items: Pending[]): Promise<void> {
    try {
      const res = await withRetry(
        () =>
          this.client.batchOperate(
            target,
            this.action,
            items.map((i) => i.taskId),
            this.retry.signal,
          ),
        this.retry,
      );
      const failed = new Map((res.failure ?? []).map((f) => [f.task_id, f]));
      for (const item of items) {
        const f = failed.get(item.taskId);
        if (!f || HARMLESS[this.action].test(f.error_msg ?? '')) item.resolve({ ok: true });
        else
          item.resolve({
            ok: false,
            error: new FdiError({
              kind: 'http',
              operation: 'POST /batch-operation/tasks',
              status: 200,
              errorCode: f.error_code,
              errorMsg: f.error_msg,
            }),
          });
      }
    } catch (err) {
      const error =
        err instanceof FdiError
          ? err
          : new FdiError({ kind: 'network', operation: 'POST /batch-operation/tasks', code: String(err) });
      for (const item of items) item.resolve({ ok: false, error });
    }
  }
}
