/**
 * A request-rate limiter shared by every request of a run. Requests are spaced 1/rate apart, except
 * that a known quota may be spent in a burst (a token bucket of `burst` requests refilled at the rate,
 * the way API gateways count), and no window of a second ever holds more than the rate (rounded down
 * to a whole number of requests; a fractional rate such as 2.5 therefore allows 2 in any second). The
 * rate adapts to 429s (see rate-adapt.ts); a quota the gateway states in its 429 (quota-message.ts)
 * sets the rate at once; a server's Retry-After pauses every request, not just the one that got it.
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

export interface RateLimiterOptions {
  now?: (() => number) | undefined;
  adapt?: Partial<RateAdaptConfig> | undefined;
  /**
   * How many requests may leave at once when the bucket is full (1: none, every request waits its
   * 1/rate slot). Use it only when the rate is a known quota; it never exceeds ⌊rate⌋, and the
   * one-second window still holds.
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
  #perSecond: number;
  #guardMs: number;
  /** Requests that may leave at once with a full bucket. */
  #burst: number;
  /**
   * The bucket as a theoretical arrival time (GCRA): a request may leave at `#tat − (burst − 1)/rate`;
   * each one moves it 1/rate on. With a burst of 1 this is plain spacing.
   */
  #tat: number;
  /** When the last `#perSecond` requests really left, oldest first. */
  #sent: number[] = [];
  #learned: LearnedQuota | undefined;
  #graceUntil = -Infinity;

  constructor(rate: number, options: RateLimiterOptions = {}) {
    this.#ceiling = rate;
    this.#cfg = { ...defaultAdaptConfig(rate), ...options.adapt };
    this.#now = options.now ?? (() => performance.now());
    const now = this.#now();
    this.#state = initialRateState(rate, now);
    this.#perSecond = Math.max(1, Math.floor(rate));
    this.#guardMs = windowGuardMs(rate);
    this.#burst = Math.max(1, Math.min(this.#perSecond, Math.floor(options.burst ?? 1)));
    this.#tat = now;
    if (options.learned) this.#apply(options.learned, now, { fullBucket: true });
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
    // The burst shrinks with the rate: a rate the adaptation lowered is no quota to spend at once.
    const burst = Math.max(1, Math.min(this.#burst, Math.floor(this.#state.rate)));
    const slot = Math.max(now, this.#tat - (burst - 1) * interval);
    this.#tat = Math.max(slot, this.#tat) + interval;
    if (slot > now) await sleep(Math.ceil(slot - now), signal);
    for (;;) {
      const t = this.#now();
      const wait = this.#windowWait(t);
      if (wait <= 0) {
        this.#sent.push(t);
        while (this.#sent.length > this.#perSecond) this.#sent.shift();
        return;
      }
      await sleep(Math.ceil(wait), signal);
    }
  }

  /** How long a request leaving at `t` must wait for the window to have room. */
  #windowWait(t: number): number {
    if (this.#sent.length < this.#perSecond) return 0;
    return this.#sent[this.#sent.length - this.#perSecond] + 1000 + this.#guardMs - t;
  }

  /** Feeds one response back: `throttled` for a 429. */
  record(event: 'throttled' | 'ok'): void {
    const now = this.#now();
    if (event === 'throttled' && now < this.#graceUntil) return;
    this.#state = adaptRate(this.#state, event, now, this.#cfg);
  }

  /**
   * The gateway stated its quota: the rate becomes what it allows (paced: 120 a minute is 2/s), never
   * above the configured rate, and the adaptation keeps working below it. The most restrictive quota
   * a run hears stands. Returns true when the rate changed.
   */
  learn(quota: LearnedQuota): boolean {
    if (this.#learned && quotaRate(this.#learned) <= quotaRate(quota)) return false;
    this.#apply(quota, this.#now(), { fullBucket: false });
    return true;
  }

  #apply(quota: LearnedQuota, now: number, how: { fullBucket: boolean }): void {
    this.#learned = quota;
    const rate = Math.min(this.#ceiling, quotaRate(quota));
    this.#cfg.max = rate;
    this.#cfg.min = Math.min(this.#cfg.min, rate);
    this.#state = { ...initialRateState(rate, now), accepted: rate };
    this.#perSecond = Math.max(1, Math.floor(rate));
    this.#guardMs = windowGuardMs(rate);
    this.#burst = Math.max(1, Math.min(this.#perSecond, quotaBurst(quota)));
    // Learned from a 429, the gateway's bucket is empty: start paced, the bucket refilling from now.
    // Carried from an earlier invocation, the quota has had time to refill.
    const interval = 1000 / rate;
    this.#tat = how.fullBucket ? now : Math.max(this.#tat, now + (this.#burst - 1) * interval);
    if (!how.fullBucket) this.#graceUntil = now + LEARN_GRACE_MS;
    while (this.#sent.length > this.#perSecond) this.#sent.shift();
  }

  /** Holds every later request until `ms` from now (a server's Retry-After). */
  pauseFor(ms: number): void {
    this.#tat = Math.max(this.#tat, this.#now() + ms + (this.#burst - 1) * (1000 / this.#state.rate));
  }
}
