/**
 * Rate adaptation as a pure function. Responses are counted in windows (at least `windowMs` and
 * `minSamples` responses). A window whose share of 429s is above `threshold` means the server's quota
 * is below our rate: the rate drops to what the server accepted (rate × (1 − share)), a little under.
 * A window below the threshold probes back up additively — fast while well under the rate the server
 * last accepted, gently near and beyond it — never above the configured ceiling. Isolated 429s (a gateway hiccup, a shared quota's
 * blip) stay under the threshold and do not slow the run down.
 */

export interface RateAdaptConfig {
  /** The configured rate: the ceiling, never exceeded. */
  max: number;
  /** The floor (requests per second). */
  min: number;
  /** Share of 429s in a window above which the rate is too high. */
  threshold: number;
  /** After a throttled window the rate is set this much under what the server accepted. */
  backoff: number;
  /** Requests per second regained per second well below the rate last accepted … */
  increasePerSecond: number;
  /** … and near or beyond it, where the quota was found last time. */
  probePerSecond: number;
  windowMs: number;
  minSamples: number;
}

export interface RateState {
  rate: number;
  /** The rate the server accepted in the last throttled window (Infinity before any). */
  accepted: number;
  windowStart: number;
  ok: number;
  throttled: number;
}

export function defaultAdaptConfig(max: number): RateAdaptConfig {
  return {
    max,
    min: Math.min(max, 0.5),
    // Tuned with bench/common/rate-model.ts and a token-bucket model: random 429s of up to ~5% at 20 or
    // 200 requests/s keep the rate at the ceiling; a quota of half the ceiling is found within seconds
    // with under 5% of the requests of a 3,000-task run throttled.
    threshold: 0.08,
    backoff: 0.95,
    increasePerSecond: Math.max(0.2, max / 20),
    probePerSecond: Math.max(0.05, max / 300),
    windowMs: 1000,
    minSamples: 40,
  };
}

export function initialRateState(rate: number, now = 0): RateState {
  return { rate, accepted: Infinity, windowStart: now, ok: 0, throttled: 0 };
}

/** The new state after a response: `throttled` for a 429, `ok` for any other answer. */
export function adaptRate(state: RateState, event: 'throttled' | 'ok', now: number, cfg: RateAdaptConfig): RateState {
  const s = {
    ...state,
    ok: state.ok + (event === 'ok' ? 1 : 0),
    throttled: state.throttled + (event === 'throttled' ? 1 : 0),
  };
  const elapsed = now - s.windowStart;
  const samples = s.ok + s.throttled;
  if (elapsed < cfg.windowMs || samples < cfg.minSamples) return s;
  const share = s.throttled / samples;
  const next = { ...s, windowStart: now, ok: 0, throttled: 0 };
  if (share > cfg.threshold) {
    const accepted = s.rate * (1 - share);
    return { ...next, rate: Math.max(cfg.min, accepted * cfg.backoff), accepted };
  }
  const step = (s.rate < 0.9 * s.accepted ? cfg.increasePerSecond : cfg.probePerSecond) * (elapsed / 1000);
  return { ...next, rate: Math.min(cfg.max, s.rate + step) };
}
