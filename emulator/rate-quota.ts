/**
 * The request-rate quota: a token bucket of capacity max(1, rate) refilled at `rate` tokens per
 * second. Time is injected so tests can drive it.
 */
export class TokenBucket {
  readonly rate: number;
  readonly capacity: number;
  private tokens: number;
  private last: number;

  constructor(rate: number, now: number) {
    this.rate = rate;
    this.capacity = Math.max(1, rate);
    this.tokens = this.capacity;
    this.last = now;
  }

  /** Takes one token if there is one; `now` in milliseconds. */
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

/** The APIG throttling message, with the limit shown as a whole number when it is one. */
export function throttleMessage(rate: number): string {
  return `The throttling threshold has been reached: policy user over ratelimit,limit:${rate},time:1 second`;
}
