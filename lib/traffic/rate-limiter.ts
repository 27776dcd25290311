/**
 * A request-rate limiter shared by every request of a run: requests are spaced 1/rate apart (no burst),
 * so no window of a second ever holds more than the configured rate. The rate adapts to 429s (see
 * rate-adapt.ts) and a server's Retry-After pauses every request, not just the one that got it.
 */
import { adaptRate, defaultAdaptConfig, initialRateState, type RateAdaptConfig, type RateState } from './rate-adapt.js';
import { sleep } from './sleep.js';

export class RateLimiter {
  #state: RateState;
  #next = 0;
  readonly #cfg: RateAdaptConfig;
  readonly #now: () => number;

  constructor(
    rate: number,
    options: { now?: (() => number) | undefined; adapt?: Partial<RateAdaptConfig> | undefined } = {},
  ) {
    this.#cfg = { ...defaultAdaptConfig(rate), ...options.adapt };
    this.#now = options.now ?? (() => performance.now());
    this.#state = initialRateState(rate, this.#now());
  }

  /** The current rate (requests per second). */
  get rate(): number {
    return this.#state.rate;
  }

  /** Waits for this request's slot. Slots are handed out in call order. */
  async acquire(signal?: AbortSignal): Promise<void> {
    const now = this.#now();
    const slot = Math.max(now, this.#next);
    this.#next = slot + 1000 / this.#state.rate;
    if (slot > now) await sleep(slot - now, signal);
  }

  /** Feeds one response back: `throttled` for a 429. */
  record(event: 'throttled' | 'ok'): void {
    this.#state = adaptRate(this.#state, event, this.#now(), this.#cfg);
  }

  /** Holds every later request until `ms` from now (a server's Retry-After). */
  pauseFor(ms: number): void {
    this.#next = Math.max(this.#next, this.#now() + ms);
  }
}
