/**
 * Rate adaptation as a pure function: multiplicative decrease on throttling, additive probing back up
 * towards the configured ceiling (never above it). One decrease per cool-down, so a burst of 429s
 * answering requests already in flight counts as one signal.
 */

export interface RateAdaptConfig {
  /** The configured rate: the ceiling, never exceeded. */
  max: number;
  /** The floor (requests per second). */
  min: number;
  /** Factor applied on a throttle signal. */
  decrease: number;
  /** Requests per second regained per second of successes. */
  increasePerSecond: number;
  /** After a decrease, further throttles within this time are the same congestion event. */
  cooldownMs: number;
}

export interface RateState {
  rate: number;
  lastDecreaseAt: number;
}

export function defaultAdaptConfig(max: number): RateAdaptConfig {
  return { max, min: Math.min(max, 0.5), decrease: 0.8, increasePerSecond: Math.max(0.2, max / 20), cooldownMs: 1000 };
}

/** The new state after a response: `throttled` for a 429, `ok` for any other answer. */
export function adaptRate(state: RateState, event: 'throttled' | 'ok', now: number, cfg: RateAdaptConfig): RateState {
  if (event === 'throttled') {
    if (now - state.lastDecreaseAt < cfg.cooldownMs) return state;
    return { rate: Math.max(cfg.min, state.rate * cfg.decrease), lastDecreaseAt: now };
  }
  if (state.rate >= cfg.max) return state;
  // One success is worth 1/rate seconds of probing, so the rate climbs by increasePerSecond each second.
  return { ...state, rate: Math.min(cfg.max, state.rate + cfg.increasePerSecond / state.rate) };
}
