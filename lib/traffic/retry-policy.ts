/**
 * The retry decision as a pure function (table-tested): which failures are retried, and after how long.
 * Capped exponential backoff with full jitter; a `Retry-After` from the server is a floor.
 */
import { FdiError } from '../fdi/client/fdi-error.js';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /**
   * Attempts in all when the last answer was a 429: throttling says "later", not "broken", so a
   * request is not failed for it as soon as for a 500 (the rate limiter slows the run meanwhile).
   */
  maxThrottledAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Longest `Retry-After` honoured; a larger one is capped (a server asking for an hour would stall the run). */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  maxThrottledAttempts: 20,
  baseDelayMs: 200,
  maxDelayMs: 20_000,
  maxRetryAfterMs: 60_000,
};

/** Statuses worth another attempt. 400, 404 and the rest of 4xx are answers, not accidents. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

export type RetryDecision = { retry: true; delayMs: number } | { retry: false; reason: string };

/**
 * Decides whether to try again after `attemptsMade` attempts ended with `error`.
 * `random` returns [0, 1); pass a seeded one in tests.
 */
export function decideRetry(
  error: unknown,
  attemptsMade: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): RetryDecision {
  if (!(error instanceof FdiError)) return { retry: false, reason: 'not a request failure' };
  if (error.kind === 'aborted') return { retry: false, reason: 'aborted' };
  if (error.kind === 'http' && !RETRYABLE_STATUSES.has(error.status ?? 0)) {
    return { retry: false, reason: `HTTP ${error.status} is not retried` };
  }
  const limit = error.status === 429 ? Math.max(policy.maxAttempts, policy.maxThrottledAttempts) : policy.maxAttempts;
  if (attemptsMade >= limit) return { retry: false, reason: `gave up after ${attemptsMade} attempts` };
  return { retry: true, delayMs: backoffDelay(attemptsMade, policy, random, error.retryAfterS) };
}

/** Full jitter: uniform in [0, min(cap, base·2^(n−1))], but never less than the server's Retry-After. */
export function backoffDelay(
  attemptsMade: number,
  policy: RetryPolicy,
  random: () => number,
  retryAfterS?: number,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attemptsMade - 1));
  const jittered = Math.floor(random() * ceiling);
  if (retryAfterS === undefined) return jittered;
  return Math.max(jittered, Math.min(policy.maxRetryAfterMs, retryAfterS * 1000));
}
