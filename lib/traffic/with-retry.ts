/**
 * Runs an idempotent call (a read, an update, a batch start) with the retry policy. Creates do not use
 * this directly: an ambiguous create needs a name lookup before it may be repeated (create-task.ts).
 */
import { FdiError } from '../fdi/client/fdi-error.js';
import { decideRetry, type RetryPolicy } from './retry-policy.js';
import { sleep } from './sleep.js';

export interface RetryContext {
  policy: RetryPolicy;
  signal?: AbortSignal | undefined;
  random?: (() => number) | undefined;
  /** Called before each retry (counts retries, pauses the rate limiter on Retry-After). */
  onRetry?: (error: FdiError, delayMs: number) => void;
}

export async function withRetry<T>(call: () => Promise<T>, ctx: RetryContext): Promise<T> {
  for (let attempts = 1; ; attempts++) {
    try {
      return await call();
    } catch (err) {
      const decision = decideRetry(err, attempts, ctx.policy, ctx.random);
      if (!decision.retry) throw err;
      const error = err as FdiError;
      ctx.onRetry?.(error, decision.delayMs);
      // Stopped while waiting to retry: the call ends aborted, a value the run reports, not a crash.
      await sleep(decision.delayMs, ctx.signal).catch(() => {
        throw new FdiError({ kind: 'aborted', operation: error.operation });
      });
    }
  }
}
