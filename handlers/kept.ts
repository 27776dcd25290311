/**
 * What both handlers do around lib/trigger: make a thing on the first invocation and keep it for the
 * warm ones, and fail the invocation (so the platform's retry runs the event again) when a record
 * failed for an infrastructure reason.
 */
import type { RecordOutcome } from '../lib/trigger/handle-event.js';

/**
 * `make`, called on the first call and its promise kept; a failure is not kept: the next call tries
 * again (a missing SSM parameter, a module that failed to load).
 */
export function kept<A extends unknown[], T>(make: (...args: A) => T | Promise<T>): (...args: A) => Promise<T> {
  let pending: Promise<T> | undefined;
  return (...args) =>
    (pending ??= Promise.resolve()
      .then(() => make(...args))
      .catch((err: unknown) => {
        pending = undefined;
        throw err;
      }));
}

/** The outcomes, or a throw naming the records that failed. */
export function unlessFailed(outcomes: RecordOutcome[]): RecordOutcome[] {
  const failed = outcomes.filter((o) => o.kind === 'error');
  if (failed.length) throw new Error(`${failed.length} record(s) failed: ${failed.map((f) => f.key).join(', ')}`);
  return outcomes;
}
