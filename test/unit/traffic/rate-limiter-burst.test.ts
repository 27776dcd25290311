/**
 * The limiter with a known quota: a burst of up to one second's quota at once, the quota a 429 states
 * learned at once (paced for a longer period), and the one-second window that holds whatever happens.
 * Virtual time (fake timers).
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FdiError } from '../../../lib/fdi/client/fdi-error.js';
import { burstOf, RateLimiter, windowGuardMs, type RateLimiterOptions } from '../../../lib/traffic/rate-limiter.js';
import { createScheduler } from '../../../lib/traffic/scheduler.js';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Sends `count` requests at once (at time 0) and, at `learnAt`, teaches the limiter a quota. */
async function burstTimes(
  rate: number,
  count: number,
  options: RateLimiterOptions & { learnAt?: number; learn?: { limit: number; periodSeconds: number } } = {},
  groups?: Array<{ after: number; count: number }>,
): Promise<{ sent: number[]; limiter: RateLimiter }> {
  const limiter = new RateLimiter(rate, options);
  const sent: number[] = [];
  const pending: Array<Promise<void>> = [];
  const arrivals = groups ?? [{ after: 0, count }];
  let at = 0;
  for (const g of arrivals) {
    at += g.after;
    setTimeout(() => {
      for (let i = 0; i < g.count; i++) pending.push(limiter.acquire().then(() => void sent.push(performance.now())));
    }, at);
  }
  if (options.learn) setTimeout(() => limiter.learn(options.learn!), options.learnAt ?? 0);
  await vi.runAllTimersAsync();
  await Promise.all(pending);
  return { sent: sent.sort((a, b) => a - b), limiter };
}

function peakIn(times: number[], widthMs: number): number {
  let peak = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[j] <= times[i] - widthMs) j++;
    peak = Math.max(peak, i - j + 1);
  }
  return peak;
}

/** Whether the send times conform to a token bucket of `capacity` refilled at `rate` per second. */
function conforms(times: number[], capacity: number, rate: number): boolean {
  for (let i = 0; i < times.length; i++)
    for (let j = i; j < times.length && j < i + 3 * capacity; j++)
      if (j - i + 1 > capacity + (rate * (times[j]! - times[i]!)) / 1000 + 1e-6) return false;
  return true;
}

describe('RateLimiter with a burst', () => {
  it('burstOf: one second of quota less a margin of the guard', () => {
    expect(burstOf(100)).toBe(98);
    expect(burstOf(200)).toBe(196);
    expect(burstOf(20)).toBe(19);
    expect(burstOf(1000)).toBe(980);
    expect(burstOf(1.5)).toBe(1);
  });

  it('sends the burst at once, then paces: 1,000 at 100/s end (N − burst)/Q after the first', async () => {
    const start = performance.now();
    const { sent } = await burstTimes(100, 1000, { burst: 100 });
    expect(sent.filter((t) => t === start)).toHaveLength(98);
    expect(conforms(sent, 98, 100)).toBe(true);
    const last = sent[sent.length - 1]! - start;
    expect(last).toBeGreaterThanOrEqual(9000);
    expect(last).toBeLessThanOrEqual(9020);
  });

  it('without a burst the same run takes (N − 1)/Q', async () => {
    const start = performance.now();
    const { sent } = await burstTimes(100, 1000);
    expect(sent[sent.length - 1]! - start).toBeGreaterThanOrEqual(9990);
  });

  it('conforms to the gateway’s bucket (capacity ⌊rate⌋, refilled at the rate) for any arrival pattern', async () => {
    const pattern = fc.array(
      fc.record({ after: fc.integer({ min: 0, max: 1500 }), count: fc.integer({ min: 1, max: 25 }) }),
      { minLength: 1, maxLength: 8 },
    );
    await fc.assert(
      fc.asyncProperty(fc.double({ min: 1, max: 60, noNaN: true }), pattern, async (rate, groups) => {
        const { sent } = await burstTimes(rate, 0, { burst: rate }, groups);
        expect(conforms(sent, Math.max(1, Math.floor(rate)), rate)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('the third 429 ends the burst for good: from then on ⌊rate⌋ in any second, counting the burst', async () => {
    const limiter = new RateLimiter(50, { burst: 50, adapt: { minSamples: 1000 } });
    const sent: number[] = [];
    const go = (k: number) =>
      Array.from({ length: k }, () => limiter.acquire().then(() => void sent.push(performance.now())));
    const first = go(49);
    await vi.runAllTimersAsync();
    await Promise.all(first);
    expect(limiter.bursting).toBe(true);
    limiter.record('throttled');
    limiter.record('throttled');
    expect(limiter.bursting).toBe(true);
    limiter.record('throttled');
    expect(limiter.bursting).toBe(false);
    const rest = go(120);
    await vi.runAllTimersAsync();
    await Promise.all(rest);
    expect(sent).toHaveLength(169);
    expect(peakIn(sent, 1000 + windowGuardMs(50))).toBeLessThanOrEqual(50);
  });
});

describe('RateLimiter.learn: the quota the gateway states', () => {
  it('sets the rate and the window to the quota at once, counting what already left', async () => {
    const start = performance.now();
    const { sent, limiter } = await burstTimes(200, 300, {
      burst: 200,
      learn: { limit: 20, periodSeconds: 1 },
      learnAt: 10,
    });
    expect(limiter.rate).toBe(20);
    expect(limiter.learned).toEqual({ limit: 20, periodSeconds: 1 });
    // A burst left at once (and a paced request or two) before the 429 at 10 ms; after it, 20 a second
    // counting the last 20 of those (requests already waiting for the window leave as it opens).
    const after = sent.filter((t) => t > start + 10);
    expect(sent.filter((t) => t === start)).toHaveLength(burstOf(200));
    expect(after.length).toBeGreaterThanOrEqual(100);
    expect(after[0] - start).toBeGreaterThanOrEqual(1000);
    expect(peakIn(after, 1000 + windowGuardMs(20))).toBeLessThanOrEqual(20);
  });

  it('paces a per-minute quota (120 a minute: one request every 500 ms), never a burst then a stall', async () => {
    const limiter = new RateLimiter(20, { burst: 20 });
    expect(limiter.learn({ limit: 120, periodSeconds: 60 })).toBe(true);
    expect(limiter.rate).toBe(2);
    const sent: number[] = [];
    const all = Array.from({ length: 150 }, () => limiter.acquire().then(() => void sent.push(performance.now())));
    await vi.runAllTimersAsync();
    await Promise.all(all);
    for (let i = 1; i < sent.length; i++) expect(sent[i] - sent[i - 1]).toBeGreaterThanOrEqual(499);
    expect(peakIn(sent, 60_000)).toBeLessThanOrEqual(120);
    // The one-second window with its guard (20 ms at 2/s) costs 2 %.
    expect(sent[sent.length - 1] - sent[0]).toBeLessThanOrEqual(149 * 510 + 50);
  });

  it('never above the configured rate; the most restrictive quota stands', () => {
    const limiter = new RateLimiter(10);
    expect(limiter.learn({ limit: 50, periodSeconds: 1 })).toBe(true);
    expect(limiter.rate).toBe(10);
    expect(limiter.learn({ limit: 8, periodSeconds: 1 })).toBe(true);
    expect(limiter.rate).toBe(8);
    expect(limiter.learn({ limit: 9, periodSeconds: 1 })).toBe(false);
    expect(limiter.learn({ limit: 8, periodSeconds: 1 })).toBe(false);
    expect(limiter.rate).toBe(8);
  });

  it('ignores the 429s still coming back for a second after learning, then adapts below the quota', () => {
    const limiter = new RateLimiter(200, { adapt: { minSamples: 1, windowMs: 0 } });
    limiter.learn({ limit: 20, periodSeconds: 1 });
    for (let i = 0; i < 8; i++) limiter.record('throttled');
    expect(limiter.rate).toBe(20);
    vi.advanceTimersByTime(1001);
    limiter.record('throttled');
    expect(limiter.rate).toBeLessThan(20);
  });

  it('a quota carried from an earlier invocation starts the run at it, the bucket full for a known rate', async () => {
    const start = performance.now();
    const { sent, limiter } = await burstTimes(100, 60, { burst: 100, learned: { limit: 25, periodSeconds: 1 } });
    expect(limiter.rate).toBe(25);
    expect(sent.filter((t) => t === start)).toHaveLength(burstOf(25));
    expect(conforms(sent, 25, 25)).toBe(true);
    const paced = new RateLimiter(100, { learned: { limit: 25, periodSeconds: 1 } });
    expect(paced.rate).toBe(25);
    expect(paced.bursting).toBe(false);
  });

  it('429s count at once under a carried quota; after one learned now, only once the old answers are in', () => {
    const adapt = { minSamples: 1, windowMs: 0, min: 1 };
    const carried = new RateLimiter(100, { learned: { limit: 25, periodSeconds: 1 }, adapt });
    carried.record('throttled');
    expect(carried.rate).toBeLessThan(25);
    const learning = new RateLimiter(100, { adapt });
    learning.learn({ limit: 25, periodSeconds: 1 });
    learning.record('throttled');
    expect(learning.rate).toBe(25);
  });
});

describe('the scheduler learns the quota from a 429 it observes', () => {
  it('parses the answer, sets the run’s one limiter, and tells the run once', () => {
    const learned: Array<[unknown, number]> = [];
    const scheduler = createScheduler({ concurrency: 8, rate: 200, onLearned: (q, r) => learned.push([q, r]) });
    const throttled = (msg: string, code = 'APIGW.0308', status = 429) => ({
      operation: 'POST /tasks',
      status,
      durationMs: 3,
      error: new FdiError({ kind: 'http', operation: 'POST /tasks', status, errorCode: code, errorMsg: msg }),
    });
    scheduler.observe(throttled('The throttling threshold has been reached.'));
    expect(scheduler.limiter.rate).toBe(200);
    const msg = 'The throttling threshold has been reached: policy user over ratelimit,limit:20,time:1 second';
    scheduler.observe(throttled(msg));
    scheduler.observe(throttled(msg, 'APIG.0308'));
    expect(scheduler.limiter.rate).toBe(20);
    expect(learned).toEqual([[{ limit: 20, periodSeconds: 1 }, 20]]);
    expect(scheduler.stats.throttled).toBe(3);
    // A stricter quota stated later lowers the rate again; a quota in a non-429 answer is no throttle.
    scheduler.observe(throttled(msg.replace('limit:20', 'limit:10'), 'APIG.0308'));
    scheduler.observe(throttled(msg.replace('limit:20', 'limit:5'), 'APIG.0308', 500));
    expect(scheduler.limiter.rate).toBe(10);
    expect(learned).toHaveLength(2);
  });
});

describe('a burst on a stalled event loop (real time)', () => {
  beforeEach(() => vi.useRealTimers());

  it('requests whose slots fell inside the stall do not leave at once beyond the bucket', async () => {
    const rate = 10;
    const burst = 2;
    const limiter = new RateLimiter(rate, { burst });
    const start = performance.now();
    const sent: number[] = [];
    const all = Array.from({ length: 8 }, () => limiter.acquire().then(() => void sent.push(performance.now())));
    // The first two leave at once; the slots of the next ones (100, 200, 300 ms …) pass while the
    // event loop is busy for 350 ms, so their timers all fire together when it frees.
    await new Promise((r) => setTimeout(r, 20));
    const busyUntil = performance.now() + 330;
    while (performance.now() < busyUntil) {
      /* the stall */
    }
    await Promise.all(all);
    const times = sent.map((t) => t - start).sort((a, b) => a - b);
    // A token bucket of capacity 2 refilled at 10/s, with 3 ms of slack for the test's own timing.
    for (let i = 0; i < times.length; i++)
      for (let j = i; j < times.length; j++)
        expect(j - i + 1, `sends ${i}..${j} at ${times.map((t) => t.toFixed(0)).join(' ')}`).toBeLessThanOrEqual(
          burst + (rate * (times[j]! - times[i]! + 3)) / 1000,
        );
  });
});
