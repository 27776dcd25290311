/**
 * The request-rate quota of the API gateway in front of FDI: `limit` requests per period (a second or
 * a minute), counted one of two ways. Time is injected (milliseconds) so tests can drive it.
 *
 * - `bucket` (the default): a token bucket of capacity max(1, limit) refilled at limit per period. A
 *   client may spend a whole period's quota at once after a quiet period (API gateways allow such a
 *   burst), so any window of one period may hold up to twice the limit at the start.
 * - `window`: a sliding window; no window of one period ever holds more than ⌊limit⌋ accepted
 *   requests (at least 1). The strictest reading of "limit:N,time:1 second".
 */

export const QUOTA_PERIODS = ['second', 'minute'] as const;
export type QuotaPeriod = (typeof QUOTA_PERIODS)[number];
export const QUOTA_MODELS = ['bucket', 'window'] as const;
export type QuotaModel = (typeof QUOTA_MODELS)[number];
/** What a throttled answer says: the quota (`limit:N,time:1 second`, as Huawei's gateway does) or only that it throttled. */
export const QUOTA_MESSAGES = ['limit', 'plain'] as const;
export type QuotaMessage = (typeof QUOTA_MESSAGES)[number];

export const PERIOD_MS: Record<QuotaPeriod, number> = { second: 1000, minute: 60_000 };

export interface RateQuota {
  /** Takes one request's worth of quota if there is some; `now` in milliseconds. */
  tryTake(now: number): boolean;
}

export class TokenBucket implements RateQuota {
  /** Tokens per second. */
  readonly rate: number;
  readonly capacity: number;
  private tokens: number;
  private last: number;

  /** `limit` requests per `periodMs` (default a second). */
  constructor(limit: number, now: number, periodMs = 1000) {
    this.rate = (limit * 1000) / periodMs;
    this.capacity = Math.max(1, limit);
    this.tokens = this.capacity;
    this.last = now;
  }

  tryTake(now: number): boolean {
    const elapsed = Math.max(0, now - this.last);
    this.tokens = Math.min(this.capacity, this.tokens + (elapsed / 1000) * this.rate);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }
}

export class SlidingWindow implements RateQuota {
  readonly max: number;
  /** When the accepted requests of the last period arrived, oldest first. */
  private readonly accepted: number[] = [];

  constructor(
    limit: number,
    readonly periodMs = 1000,
  ) {
    this.max = Math.max(1, Math.floor(limit));
  }

  tryTake(now: number): boolean {
    while (this.accepted.length > 0 && this.accepted[0] <= now - this.periodMs) this.accepted.shift();
    if (this.accepted.length >= this.max) return false;
    this.accepted.push(now);
    return true;
  }
}

/** The quota of the given model and period. */
export function newRateQuota(
  limit: number,
  now: number,
  period: QuotaPeriod = 'second',
  model: QuotaModel = 'bucket',
): RateQuota {
  const periodMs = PERIOD_MS[period];
  return model === 'window' ? new SlidingWindow(limit, periodMs) : new TokenBucket(limit, now, periodMs);
}

/** The APIG throttling message, with the limit shown as a whole number when it is one. */
export function throttleMessage(limit: number, period: QuotaPeriod = 'second', form: QuotaMessage = 'limit'): string {
  if (form === 'plain') return 'The throttling threshold has been reached.';
  return `The throttling threshold has been reached: policy user over ratelimit,limit:${limit},time:1 ${period}`;
}
