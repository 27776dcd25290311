/**
 * The rate limiter as a property: whatever the arrival pattern (bursts, trickles, pauses, Retry-After
 * holds, a rate lowered by throttling), requests leave at most ⌊rate⌋ in any one-second window, with
 * the guard to spare, and never closer than 1/rate apart. Virtual time (fake timers), so every pattern
 * runs in microseconds.
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RateLimiter, windowGuardMs } from '../../../lib/traffic/rate-limiter.js';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Arrivals: `after` ms after the previous group, `count` requests at once. */
const pattern = fc.array(
  fc.record({ after: fc.integer({ min: 0, max: 1500 }), count: fc.integer({ min: 1, max: 20 }) }),
  {
    minLength: 1,
    maxLength: 12,
  },
);

async function sendTimes(
  rate: number,
  groups: Array<{ after: number; count: number }>,
  events: { pauseAt?: number; pauseMs?: number; throttleAt?: number } = {},
): Promise<number[]> {
  const limiter = new RateLimiter(rate, { adapt: { minSamples: 1, windowMs: 0 } });
  const sent: number[] = [];
  const pending: Array<Promise<void>> = [];
  let at = 0;
  for (const g of groups) {
    at += g.after;
    const when = at;
    setTimeout(() => {
      for (let i = 0; i < g.count; i++) pending.push(limiter.acquire().then(() => void sent.push(performance.now())));
    }, when);
  }
  if (events.pauseAt !== undefined) setTimeout(() => limiter.pauseFor(events.pauseMs ?? 0), events.pauseAt);
  if (events.throttleAt !== undefined) setTimeout(() => limiter.record('throttled'), events.throttleAt);
  await vi.runAllTimersAsync();
  await Promise.all(pending);
  return sent;
}

/** The most requests in any window (t − 1000, t], as the server counts them. */
function peakPerSecond(times: number[], widthMs = 1000): number {
  const t = [...times].sort((a, b) => a - b);
  let peak = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[j] <= t[i] - widthMs) j++;
    peak = Math.max(peak, i - j + 1);
  }
  return peak;
}

describe('RateLimiter: never more than ⌊rate⌋ requests in any one-second window', () => {
  it('holds for any arrival pattern, pause and throttling, with the guard to spare', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.double({ min: 1, max: 60, noNaN: true }),
        pattern,
        fc.record({
          pauseAt: fc.integer({ min: 0, max: 5000 }),
          pauseMs: fc.integer({ min: 0, max: 3000 }),
          throttleAt: fc.integer({ min: 0, max: 5000 }),
        }),
        async (rate, groups, events) => {
          const sent = await sendTimes(rate, groups, events);
          expect(sent).toHaveLength(groups.reduce((n, g) => n + g.count, 0));
          const perSecond = Math.max(1, Math.floor(rate));
          // Widened by the guard: even a request delayed on its way by that much stays within the limit.
          expect(peakPerSecond(sent, 1000 + windowGuardMs(rate))).toBeLessThanOrEqual(perSecond);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('spaces requests at least 1/rate apart at the configured rate', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 100 }), pattern, async (rate, groups) => {
        const sent = (await sendTimes(rate, groups)).sort((a, b) => a - b);
        for (let i = 1; i < sent.length; i++) expect(sent[i] - sent[i - 1]).toBeGreaterThanOrEqual(1000 / rate - 1);
      }),
      { numRuns: 60 },
    );
  });

  it('at --rate 5, a burst of 30 leaves 5 a second, the sixth only after a second and the guard', async () => {
    const sent = (await sendTimes(5, [{ after: 0, count: 30 }])).sort((a, b) => a - b);
    expect(peakPerSecond(sent)).toBe(5);
    for (let i = 5; i < sent.length; i++) expect(sent[i] - sent[i - 5]).toBeGreaterThanOrEqual(1000 + windowGuardMs(5));
  });
});
