/**
 * `run_now` (docs/MANIFEST.md): one execution of a TIMING task, triggered right after this run created
 * or updated it (`POST …/tasks/{task_id}/run`). RunTask is not idempotent, so it is sent exactly once:
 * after an ambiguous failure (a 5xx, a reset, a timeout) the task's monitor logs are read before any
 * retry, and an execution that began since the first attempt means the run happened. FDI.3023 ("one or
 * more tasks are running") on a retry means the first attempt's execution runs: a success. On a first
 * attempt it means an execution was running already (its schedule fired, someone ran it): reported
 * `running`, not a failure.
 */
import type { FdiClient } from '../fdi/client/client.js';
import { FdiError, isAuthFailure } from '../fdi/client/fdi-error.js';
import { ERROR_CODES } from '../fdi/model/api.js';
import type { RetryContext } from '../traffic/with-retry.js';
import type { Target } from '../types.js';
import { doubtOf, waitToRetry } from './retry-wait.js';
import { monitorPages } from './verify.js';

/** How far before the first attempt an execution may seem to begin (the client's and FDI's clocks differ). */
export const CLOCK_SLACK_MS = 5 * 60_000;

export type RunOutcome =
  | { ok: true; run: 'triggered' | 'running'; attempts: number; note?: string | undefined }
  | { ok: false; error: FdiError; attempts: number; note?: string | undefined };

export interface RunContext {
  retry: RetryContext;
  /** True once the run stops dispatching: a run waiting to be retried gives up. */
  stopping: () => boolean;
  now: () => Date;
}

/** FDI's answer that the task's execution runs (docs/FDI-API.md §2, EMULATOR.md: RunTask while one runs). */
export function isRunning(err: unknown): boolean {
  return err instanceof FdiError && err.status === 400 && err.errorCode === ERROR_CODES.tasksRunning;
}

/**
 * Triggers one execution of the task. `fresh`: this run created the task a moment ago, so it has no
 * execution yet and nothing is read first; otherwise the executions of the last minutes are read first
 * (one listing), so that a look after an ambiguous failure can tell a new one from them.
 */
export async function runOnce(
  client: FdiClient,
  target: Target,
  taskId: string,
  fresh: boolean,
  ctx: RunContext,
): Promise<RunOutcome> {
  const since = ctx.now().getTime() - CLOCK_SLACK_MS;
  let before: ReadonlySet<string>;
  try {
    before = fresh ? new Set() : new Set(await executionsSince(client, target, taskId, since, ctx.retry));
  } catch (err) {
    if (err instanceof FdiError)
      return { ok: false, error: err, attempts: 0, note: 'its executions could not be read' };
    throw err;
  }
  let ambiguous = false;
  for (let attempts = 1; ; attempts++) {
    let error: FdiError;
    try {
      await client.runTask(target, taskId, ctx.retry.signal);
      return { ok: true, run: 'triggered', attempts, note: ambiguous ? 'run triggered on a retry' : undefined };
    } catch (err) {
      if (!(err instanceof FdiError)) throw err;
      error = err;
    }
    if (isRunning(error)) {
      return ambiguous
        ? { ok: true, run: 'triggered', attempts, note: 'confirmed after an ambiguous failure: FDI says it runs' }
        : { ok: true, run: 'running', attempts, note: 'an execution was running already; none was triggered' };
    }
    if (isAuthFailure(error) || error.kind === 'aborted') return { ok: false, error, attempts };
    if (error.mayHaveReachedServer) {
      ambiguous = true;
      // The run may have happened: an execution that is not among those seen before means it did.
      try {
        const seen = await executionsSince(client, target, taskId, since, ctx.retry);
        if (seen.some((id) => !before.has(id))) return confirmed(attempts, error);
      } catch (lookupErr) {
        if (!(lookupErr instanceof FdiError)) throw lookupErr;
        const note = 'the run may or may not have been triggered, and its monitor logs could not be read';
        return { ok: false, error, attempts, note };
      }
    }
    const wait = await waitToRetry(error, attempts, ctx);
    if (wait === 'interrupted')
      return { ok: false, error: new FdiError({ kind: 'aborted', operation: error.operation }), attempts };
    if (wait !== 'retry') return { ok: false, error, attempts };
  }
}

function confirmed(attempts: number, error: FdiError): RunOutcome {
  return {
    ok: true,
    run: 'triggered',
    attempts,
    note: `run confirmed by the task's monitor logs after ${doubtOf(error)}`,
  };
}

/** The IDs of the task's executions that began since `since` (epoch ms). */
async function executionsSince(
  client: FdiClient,
  target: Target,
  taskId: string,
  since: number,
  retry: RetryContext,
): Promise<string[]> {
  const out: string[] = [];
  const pages = monitorPages(retry, (page, signal) =>
    client.listMonitorLogs(target, taskId, { ...page, begin_time: since }, signal),
  );
  for await (const log of pages) out.push(log.id);
  return out;
}
