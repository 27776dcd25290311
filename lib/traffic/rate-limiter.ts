/**
 * A request-rate limiter shared by every request of a run. Two ways of counting:
 *
 * - **Paced** (the default, and always once the gateway has throttled the run): requests are spaced
 *   1/rate apart and no window of a second ever holds more than the rate (rounded down to a whole
 *   number of requests; a fractional rate such as 2.5 therefore allows 2 in any second).
 * - **Burst**, when the operator says the gateway accepts one (FDI_BURST): the limiter is the
 *   gateway's own token bucket — capacity the burst, at most one second of the rate less a small
 *   margin, refilled at the rate — so a run's first second is not wasted, and any T seconds hold at
 *   most burst + rate × T requests. A few 429s show the gateway does not take bursts after all (or
 *   that the quota is shared): the run falls back to pacing for good.
 *
 * The rate adapts to 429s (see rate-adapt.ts); a quota the gateway states in its 429
 * (quota-message.ts) sets the rate at once; a server's Retry-After pauses every request.
 */
import { adaptRate, defaultAdaptConfig, initialRateState, type RateAdaptConfig, type RateState } from './rate-adapt.js';
import { quotaBurst, quotaRate, type LearnedQuota } from './quota-message.js';
import { sleep } from './sleep.js';

/**
 * Margin on the one-second window: a request reaches the wire a few milliseconds after its turn (a new
 * connection, a busy event loop) and the server's clock is only good to a millisecond, so the (n+1)-th
 * request of a second leaves a little more than a second after the first: half a slot, within 5–20 ms
 * (at 200 requests/s that costs 0.5 % of the throughput; at low rates, where the limit is protection,
 * up to 2 %).
 */
export function windowGuardMs(rate: number): number {
  return Math.min(20, Math.max(5, 500 / rate));
}

/**
 * After a quota is learned, 429s are not counted for this long: the answers to requests sent before
 * (at the old rate) are still coming back and say nothing about the new one.
 */
const LEARN_GRACE_MS = 1000;

/**
 * The burst a known rate allows: one second of it, less a margin of 2 % (20 ms of refill) that leaves
 * the gateway's bucket slack for requests that reach it closer together than they left.
 */
export function burstOf(rate: number): number {
  const whole = Math.floor(rate);
  return Math.max(1, whole - Math.ceil(rate * 0.02));
}

/**
 * 429s while bursting that show the gateway does not take bursts (or that the quota is shared): one
 * may be a request that met the gateway's bucket a few milliseconds early; a strict gateway answers
 * every request after the burst with one.
 */
const BURST_THROTTLES = 3;

export interface RateLimiterOptions {
  now?: (() => number) | undefined;
  adapt?: Partial<RateAdaptConfig> | undefined;
  /**
   * How many requests may leave at once when the bucket is full (1: none, every request waits its
   * 1/rate slot, and the one-second window holds). Use it only when the rate is a known quota; it is
   * capped at burstOf(rate).
   */
  burst?: number | undefined;
  /** A quota learned earlier in the run (an earlier invocation's checkpoint): the run starts at it. */
  learned?: LearnedQuota | undefined;
}

export class RateLimiter {
  #state: RateState;
  readonly #cfg: RateAdaptConfig;
  readonly #now: () => number;
  /** The configured rate: never exceeded, whatever is learned. */
  readonly #ceiling: number;
  /** At most this many requests leave in any one-second window: the rate in force, rounded down. */
  #perSecond = 1;
  #guardMs = 0;
  /** Requests that may leave at once with a full bucket. */
  #burst: number;
  /** The burst the options allow (the operator's), whatever quota is learned. */
  readonly #allowedBurst: number;
  /**
   * The bucket as a theoretical arrival time (GCRA): a request may leave at `#tat − (burst − 1)/rate`;
   * each one moves it 1/rate on. With a burst of 1 this is plain spacing.
   */
  #tat: number;
  /** When the last `#perSecond` requests really left, oldest first. */
  #sent: number[] = [];
  #learned: LearnedQuota | undefined;
  #graceUntil = -Infinity;
  /** 429s heard while bursting. */
  #burstThrottles = 0;
  /** The bucket on the clock, as requests really leave: tokens left, and when they were counted. */
  #tokens = 0;
  #tokensAt = 0;

  constructor(rate: number, options: RateLimiterOptions = {}) {
    this.#ceiling = rate;
    this.#cfg = { ...defaultAdaptConfig(rate), ...options.adapt };
    this.#now = options.now ?? (() => performance.now());
    const now = this.#now();
    this.#state = initialRateState(rate, now);
    this.#windowOf(rate);
    this.#allowedBurst = Math.max(1, Math.floor(options.burst ?? 1));
    this.#burst = Math.min(burstOf(rate), this.#allowedBurst);
    this.#tat = now;
    this.#tokens = this.#burst;
    this.#tokensAt = now;
    if (options.learned) this.#apply(options.learned, now, { fullBucket: this.#allowedBurst > 1, grace: false });
  }

  /** The current rate (requests per second). */
  get rate(): number {
    return this.#state.rate;
  }

  /** The quota learned from the gateway in this run (or carried from an earlier invocation), if any. */
  get learned(): LearnedQuota | undefined {
    return this.#learned;
  }

  /**
   * Waits for this request's turn: its slot in the bucket (slots are handed out in call order), then
   * room in the one-second window, judged on the times requests really left, so a timer that fires
   * late or a busy event loop cannot squeeze one request too many into a second.
   */
  async acquire(signal?: AbortSignal): Promise<void> {
    const now = this.#now();
    const interval = 1000 / this.#state.rate;
    const burst = this.#burstAt(this.#state.rate);
    const slot = Math.max(now, this.#tat - (burst - 1) * interval);
    this.#tat = Math.max(slot, this.#tat) + interval;
    if (slot > now) await sleep(Math.ceil(slot - now), signal);
    for (;;) {
      const t = this.#now();
      // Bursting: the bucket again, on the times requests really leave. A stalled event loop wakes
      // every request whose slot fell inside the stall at once; the bucket, full at most, still holds.
      // Otherwise the one-second window (its count kept while bursting, for a fallback).
      const wait = this.#burst > 1 ? this.#bucketWait(t) : this.#windowWait(t);
      if (wait <= 0) {
        if (this.#burst > 1) this.#tokens -= 1;
        this.#sent.push(t);
        while (this.#sent.length > this.#perSecond) this.#sent.shift();
        return;
      }
      await sleep(Math.ceil(wait), signal);
    }
  }

  /** The burst shrinks with the rate: a rate the adaptation lowered is no quota to spend at once. */
  #burstAt(rate: number): number {
    return Math.max(1, Math.min(this.#burst, Math.floor(rate)));
  }

  /** How long a request leaving at `t` must wait for a token of the bucket (refilled at the rate). */
  #bucketWait(t: number): number {
    const rate = this.#state.rate;
    const capacity = this.#burstAt(rate);
    this.#tokens = Math.min(capacity, this.#tokens + ((t - this.#tokensAt) * rate) / 1000);
    this.#tokensAt = t;
    // A millionth of a token of slack: the slots are computed in floating point too.
    return this.#tokens >= 1 - 1e-6 ? 0 : ((1 - this.#tokens) * 1000) / rate;
  }

  /** How long a request leaving at `t` must wait for the window to have room. */
  #windowWait(t: number): number {
    if (this.#sent.length < this.#perSecond) return 0;
    return this.#sent[this.#sent.length - this.#perSecond] + 1000 + this.#guardMs - t;
  }

  /** Whether requests may still leave in a burst (false once the gateway has throttled the run). */
  get bursting(): boolean {
    return this.#burst > 1;
  }

  /** Feeds one response back: `throttled` for a 429 — a few of which end any burst for the run. */
  record(event: 'throttled' | 'ok'): void {
    const now = this.#now();
    if (event === 'throttled') this.#endBurst(now);
    if (event === 'throttled' && now < this.#graceUntil) return;
    this.#state = adaptRate(this.#state, event, now, this.#cfg);
  }

  /**
   * Back to pacing after the BURST_THROTTLES-th 429: the bucket's tolerance goes, the next slot is
   * 1/rate after the last one, and the one-second window counts the requests already sent.
   */
  #endBurst(now: number): void {
    if (this.#burst === 1) return;
    if (++this.#burstThrottles < BURST_THROTTLES) return;
    this.#tat = Math.max(now, this.#tat);
    this.#burst = 1;
  }

  /**
   * The gateway stated its quota: the rate becomes what it allows (paced: 120 a minute is 2/s), never
   * above the configured rate, and the adaptation keeps working below it. The most restrictive quota
   * a run hears stands. Returns true when the rate changed.
   */
  learn(quota: LearnedQuota): boolean {
    if (this.#learned && quotaRate(this.#learned) <= quotaRate(quota)) return false;
    this.#apply(quota, this.#now(), { fullBucket: false, grace: true });
    return true;
  }

  /**
   * `grace`: learned from a 429 just now, the answers to requests sent at the old rate are still coming;
   * a quota carried from an earlier invocation has none in flight, so its 429s count at once.
   */
  #apply(quota: LearnedQuota, now: number, how: { fullBucket: boolean; grace: boolean }): void {
    this.#learned = quota;
    const rate = Math.min(this.#ceiling, quotaRate(quota));
    this.#cfg.max = rate;
    this.#cfg.min = Math.min(this.#cfg.min, rate);
    this.#state = { ...initialRateState(rate, now), accepted: rate };
    this.#windowOf(rate);
    // Learned from a 429, the gateway does not take our bursts (or is already spent): paced from now.
    // Carried from an earlier invocation of a run the gateway lets burst, it starts with a burst.
    this.#burst = how.fullBucket ? Math.min(burstOf(rate), quotaBurst(quota), this.#allowedBurst) : 1;
    this.#tat = how.fullBucket ? now : Math.max(this.#tat, now);
    if (how.fullBucket) [this.#tokens, this.#tokensAt] = [this.#burst, now];
    if (how.grace) this.#graceUntil = now + LEARN_GRACE_MS;
  }

  /** The one-second window for a rate: its count (the rate rounded down) and its guard. */
  #windowOf(rate: number): void {
    this.#perSecond = Math.max(1, Math.floor(rate));
    this.#guardMs = windowGuardMs(rate);
    while (this.#sent.length > this.#perSecond) this.#sent.shift();
  }

  /** Holds every later request until `ms` from now (a server's Retry-After). */
  pauseFor(ms: number): void {
    this.#tat = Math.max(this.#tat, this.#now() + ms + (this.#burst - 1) * (1000 / this.#state.rate));
  }
}
