import { describe, expect, it } from 'vitest';
import { adaptRate, defaultAdaptConfig } from '../../../lib/execute/rate-adapt.js';
import { thresholdExceeded } from '../../../lib/execute/threshold.js';
import { RateLimiter } from '../../../lib/execute/rate-limiter.js';

describe('adaptRate', () => {
  const cfg = { ...defaultAdaptConfig(100), increasePerSecond: 5, cooldownMs: 1000 };

  it('decreases multiplicatively on throttling, once per cool-down', () => {
    const s1 = adaptRate({ rate: 100, lastDecreaseAt: -Infinity }, 'throttled', 10_000, cfg);
    expect(s1.rate).toBeCloseTo(80);
    const s2 = adaptRate(s1, 'throttled', 10_500, cfg);
    expect(s2).toBe(s1);
    const s3 = adaptRate(s2, 'throttled', 11_001, cfg);
    expect(s3.rate).toBeCloseTo(64);
  });

  it('never goes below the floor', () => {
    let s = { rate: 1, lastDecreaseAt: -Infinity };
    for (let t = 0; t < 100_000; t += 2000) s = adaptRate(s, 'throttled', t, cfg);
    expect(s.rate).toBe(cfg.min);
  });

  it('probes back up additively: about increasePerSecond per second of successes, never above max', () => {
    let s = { rate: 50, lastDecreaseAt: 0 };
    // One second of successes at the current rate.
    const n = Math.round(s.rate);
    for (let i = 0; i < n; i++) s = adaptRate(s, 'ok', 1, cfg);
    expect(s.rate).toBeGreaterThan(54);
    expect(s.rate).toBeLessThan(56);
    for (let i = 0; i < 10_000; i++) s = adaptRate(s, 'ok', 1, cfg);
    expect(s.rate).toBe(100);
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
    const limiter = new RateLimiter(20);
    const times: number[] = [];
    await Promise.all(Array.from({ length: 5 }, () => limiter.acquire().then(() => times.push(performance.now()))));
    times.sort((a, b) => a - b);
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(45);
  });

  it('a lower rate after throttling widens the spacing', async () => {
    const limiter = new RateLimiter(100, { adapt: { decrease: 0.1, min: 1, cooldownMs: 0 } });
    limiter.record('throttled');
    expect(limiter.rate).toBeCloseTo(10);
    await limiter.acquire();
    const t0 = performance.now();
    await limiter.acquire();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(90);
  });

  it('pauses everyone after a Retry-After', async () => {
    let now = 1000;
    const limiter = new RateLimiter(1000, { now: () => now });
    limiter.pauseFor(50);
    const start = performance.now();
    await limiter.acquire();
    expect(performance.now() - start).toBeGreaterThanOrEqual(45);
  });
});
