/**
 * Runs an idempotent call (a read, an update, a batch start) with the retry policy. Creates do not use
 * this directly: an ambiguous create needs a name lookup before it may be repeated (create-task.ts).
 */
import type { FdiError } from '../fdi/client/fdi-error.js';
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
      ctx.onRetry?.(err as FdiError, decision.delayMs);
      await sleep(decision.delayMs, ctx.signal);
    }
  }
}
