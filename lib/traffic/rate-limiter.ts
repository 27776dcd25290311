/**
 * A request-rate limiter shared by every request of a run: requests are spaced 1/rate apart (no burst),
 * and no window of a second ever holds more than the configured rate (rounded down to a whole number
 * of requests; a fractional rate such as 2.5 therefore allows 2 in any second). The rate adapts to 429s (see
 * rate-adapt.ts) and a server's Retry-After pauses every request, not just the one that got it.
 */
import { adaptRate, defaultAdaptConfig, initialRateState, type RateAdaptConfig, type RateState } from './rate-adapt.js';
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

export class RateLimiter {
  #state: RateState;
  #next = 0;
  readonly #cfg: RateAdaptConfig;
  readonly #now: () => number;
  /** At most this many requests leave in any one-second window: the configured rate, rounded down. */
  readonly #perSecond: number;
  /** When the last `#perSecond` requests really left, oldest first. */
  readonly #sent: number[] = [];
  readonly #guardMs: number;

  constructor(
    rate: number,
    options: { now?: (() => number) | undefined; adapt?: Partial<RateAdaptConfig> | undefined } = {},
  ) {
    this.#cfg = { ...defaultAdaptConfig(rate), ...options.adapt };
    this.#now = options.now ?? (() => performance.now());
    this.#state = initialRateState(rate, this.#now());
    this.#perSecond = Math.max(1, Math.floor(rate));
    this.#guardMs = windowGuardMs(rate);
  }

  /** The current rate (requests per second). */
  get rate(): number {
    return this.#state.rate;
  }

  /**
   * Waits for this request's turn: its slot (1/rate after the one before; slots are handed out in call
   * order), then room in the one-second window, judged on the times requests really left, so a timer
   * that fires late or a busy event loop cannot squeeze one request too many into a second.
   */
  async acquire(signal?: AbortSignal): Promise<void> {
    const now = this.#now();
    const slot = Math.max(now, this.#next);
    this.#next = slot + 1000 / this.#state.rate;
    if (slot > now) await sleep(Math.ceil(slot - now), signal);
    for (;;) {
      const t = this.#now();
      const wait = this.#windowWait(t);
      if (wait <= 0) {
        this.#sent.push(t);
        if (this.#sent.length > this.#perSecond) this.#sent.shift();
        return;
      }
      await sleep(Math.ceil(wait), signal);
    }
  }

  /** How long a request leaving at `t` must wait for the window to have room. */
  #windowWait(t: number): number {
    if (this.#sent.length < this.#perSecond) return 0;
    return this.#sent[0] + 1000 + this.#guardMs - t;
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
