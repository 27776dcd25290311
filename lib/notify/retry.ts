/**
 * When to try a run-end notice again, and after how long (pure; table-tested). A network failure, a
 * timed-out attempt, a 408, a 429 or a 5xx is tried again while attempts and time remain; any other
 * answer is final (a 4xx will not change by asking again, a redirect is not followed).
 */

/**
 * How one attempt went: an HTTP status; no answer (a network error or the attempt's timeout, by its
 * code); or a chat tool's refusal inside a 2xx answer (its error code and message).
 */
export type AttemptResult =
  { status: number; retryAfterMs?: number | undefined } | { error: string } | { refused: string };

/** Pause before the second attempt; it doubles per attempt up to the cap. */
export const NOTIFY_BACKOFF = { baseMs: 500, capMs: 4_000 } as const;
/** An attempt given less time than this is not worth starting. */
export const MIN_ATTEMPT_MS = 100;

/** Whether the receiver took the notice. */
export function delivered(r: AttemptResult): boolean {
  return 'status' in r && r.status >= 200 && r.status < 300;
}

/** Whether the answer may change if asked again. */
export function retryable(r: AttemptResult): boolean {
  if ('refused' in r) return false;
  if ('error' in r) return true;
  return r.status === 408 || r.status === 429 || r.status >= 500;
}

/**
 * The pause before attempt `attempt + 1`, or undefined to give up: the answer is final, the attempts
 * are spent, or the pause (a `Retry-After` honoured as it is) would leave no time for another attempt.
 * `random` in [0, 1) spreads the pause over its upper half (equal jitter).
 */
export function retryDelay(
  r: AttemptResult,
  attempt: number,
  budget: { attempts: number; remainingMs: number },
  random: () => number = Math.random,
): number | undefined {
  if (delivered(r) || !retryable(r) || attempt >= budget.attempts) return undefined;
  const backoff = Math.min(NOTIFY_BACKOFF.capMs, NOTIFY_BACKOFF.baseMs * 2 ** (attempt - 1));
  const wait = 'status' in r && r.retryAfterMs !== undefined ? r.retryAfterMs : backoff / 2 + (random() * backoff) / 2;
  return wait + MIN_ATTEMPT_MS <= budget.remainingMs ? Math.round(wait) : undefined;
}

/** A `Retry-After` header (seconds or an HTTP date) in ms from `now`; undefined when absent or unreadable. */
export function retryAfterMs(header: string | undefined, now: number): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const s = Number(header);
  if (Number.isFinite(s) && s >= 0) return s * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
