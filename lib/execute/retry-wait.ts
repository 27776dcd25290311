/**
 * The wait between attempts of an exactly-once write (create, delete, run_now), one for all: whether the
 * retry policy allows another attempt, and whether the run still wants it.
 */
import type { FdiError } from '../fdi/client/fdi-error.js';
import { decideRetry } from '../traffic/retry-policy.js';
import { sleep } from '../traffic/sleep.js';
import type { RetryContext } from '../traffic/with-retry.js';

/**
 * `retry` once the wait is over; else why not: the policy allows no more attempts (`exhausted`), the
 * run stops dispatching (`stopping`), or the wait was cut off (`interrupted`).
 */
export type RetryWait = 'retry' | 'exhausted' | 'stopping' | 'interrupted';

export async function waitToRetry(
  error: FdiError,
  attempts: number,
  ctx: { retry: RetryContext; stopping: () => boolean },
): Promise<RetryWait> {
  const decision = decideRetry(error, attempts, ctx.retry.policy, ctx.retry.random);
  if (!decision.retry) return 'exhausted';
  if (ctx.stopping()) return 'stopping';
  ctx.retry.onRetry?.(error, decision.delayMs);
  try {
    await sleep(decision.delayMs, ctx.retry.signal);
    return 'retry';
  } catch {
    return 'interrupted';
  }
}

/** An ambiguous failure as notes name it ("after 503"): its HTTP status, else its network code, else its kind. */
export function doubtOf(error: FdiError): string {
  return `${error.status ?? error.code ?? error.kind}`;
}
