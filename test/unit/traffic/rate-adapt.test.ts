import { describe, expect, it, vi } from 'vitest';
import {
  adaptRate,
  defaultAdaptConfig,
  initialRateState,
  type RateAdaptConfig,
  type RateState,
} from '../../../lib/traffic/rate-adapt.js';
import { thresholdExceeded } from '../../../lib/execute/threshold.js';
import { RateLimiter } from '../../../lib/traffic/rate-limiter.js';

/** Feeds `seconds` of responses at the current rate, a share `p` of them 429s (deterministically spread). */
function feed(
  state: RateState,
  seconds: number,
  p: number,
  cfg: RateAdaptConfig,
  t0 = 0,
): { state: RateState; t: number } {
  let t = t0;
  let s = state;
  let debt = 0;
  while (t < t0 + seconds * 1000) {
    t += 1000 / s.rate;
    debt += p;
    const throttled = debt >= 1;
    if (throttled) debt -= 1;
    s = adaptRate(s, throttled ? 'throttled' : 'ok', t, cfg);
  }
  return { state: s, t };
}

describe('adaptRate', () => {
  const cfg = defaultAdaptConfig(200);

  it('waits for a whole window (time and samples) before deciding', () => {
    let s = initialRateState(200, 0);
    for (let i = 1; i <= 39; i++) s = adaptRate(s, 'throttled', i * 50, cfg);
    expect(s.rate).toBe(200);
    expect(s.throttled).toBe(39);
    s = adaptRate(s, 'throttled', 2000, cfg);
    expect(s.rate).toBeCloseTo(0.5);
    expect(s.throttled).toBe(0);
  });

  it.each([
    [0.0, 200],
    [0.02, 200],
    [0.05, 200],
  ])('isolated 429s (%f of responses) under the threshold keep the configured rate', (p, settled) => {
    const { state } = feed(initialRateState(200), 60, p, cfg);
    expect(state.rate).toBe(settled);
  });

  it('a window with many 429s drops the rate to a little under what the server accepted', () => {
    let s = initialRateState(200, 0);
    for (let i = 1; i <= 200; i++) s = adaptRate(s, i % 2 === 0 ? 'throttled' : 'ok', i * 5, cfg);
    // Half of the requests at 200/s were accepted: the server takes about 100/s.
    expect(s.rate).toBeCloseTo(200 * 0.5 * 0.95);
    expect(s.accepted).toBeCloseTo(100);
  });

  it('never goes below the floor or above the ceiling', () => {
    expect(feed(initialRateState(200), 30, 1, cfg).state.rate).toBe(cfg.min);
    expect(feed({ ...initialRateState(150), accepted: 100 }, 600, 0, cfg).state.rate).toBe(200);
  });

  it('climbs fast while well under the rate last accepted, gently near it', () => {
    const fast = feed({ ...initialRateState(50), accepted: 150 }, 5, 0, cfg).state.rate;
    expect(fast).toBeGreaterThan(90); // ~10/s
    const gentle = feed({ ...initialRateState(100), accepted: 105 }, 5, 0, cfg).state.rate;
    expect(gentle).toBeLessThan(106); // ~0.7/s
    expect(gentle).toBeGreaterThan(100);
  });
});

describe('thresholdExceeded', () => {
  it.each([
    [{ attempted: 0, failed: 0 }, false],
    [{ attempted: 19, failed: 19 }, false],
    [{ attempted: 20, failed: 10 }, false],
    [{ attempted: 20, failed: 11 }, true],
    [{ attempted: 100, failed: 51 }, true],
  ])('%o with 50%/20 → %s', (counts, expected) => {
    expect(thresholdExceeded(counts, { percent: 50, min_attempted: 20 })).toBe(expected);
  });
});

describe('RateLimiter', () => {
  it('spaces grants 1/rate apart: 5 acquires at 20/s span at least 4 gaps of 50 ms', async () => {
    // Virtual time: on a loaded machine two real timers 50 ms apart can fire together.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      const limiter = new RateLimiter(20);
      const times: number[] = [];
      const all = Array.from({ length: 5 }, () => limiter.acquire().then(() => times.push(performance.now())));
      await vi.runAllTimersAsync();
      await Promise.all(all);
      times.sort((a, b) => a - b);
      for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(45);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a lower rate after throttling widens the spacing', async () => {
    const limiter = new RateLimiter(100, { adapt: { minSamples: 1, windowMs: 0, min: 10 } });
    limiter.record('throttled');
    expect(limiter.rate).toBe(10);
    await limiter.acquire();
    const t0 = performance.now();
    await limiter.acquire();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(90);
  });

  it('pauses everyone after a Retry-After', async () => {
    const now = 1000;
    const limiter = new RateLimiter(1000, { now: () => now });
    limiter.pauseFor(50);
    const start = performance.now();
    await limiter.acquire();
    expect(performance.now() - start).toBeGreaterThanOrEqual(45);
  });
});
