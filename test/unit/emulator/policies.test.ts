import { describe, expect, it } from 'vitest';
import { FaultPlan, mulberry32, pickFault } from '../../../emulator/faults.js';
import { TokenBucket, throttleMessage } from '../../../emulator/rate-quota.js';

describe('mulberry32', () => {
  it('is deterministic per seed and stays in [0, 1)', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(mulberry32(8)()).not.toBe(xs[0]);
  });

  it('is roughly uniform', () => {
    const r = mulberry32(123);
    const n = 20_000;
    let below = 0;
    for (let i = 0; i < n; i += 1) if (r() < 0.3) below += 1;
    expect(below / n).toBeGreaterThan(0.28);
    expect(below / n).toBeLessThan(0.32);
  });
});

describe('pickFault lays the probabilities out as consecutive intervals', () => {
  // Binary-exact probabilities, so the interval edges are exact too.
  const faults = { reset: 0.125, 500: 0.25, '500-after-commit': 0.375 };
  it.each([
    [0, 'reset'],
    [0.1249, 'reset'],
    [0.125, '500'],
    [0.3749, '500'],
    [0.375, '500-after-commit'],
    [0.7499, '500-after-commit'],
    [0.75, undefined],
    [0.9999, undefined],
  ])('draw %f → %s', (draw, kind) => {
    expect(pickFault(draw, faults)).toBe(kind);
  });

  it('never picks a kind with probability 0 and always picks one with probability 1', () => {
    expect(pickFault(0, { hang: 0 })).toBeUndefined();
    expect(pickFault(0.99999, { hang: 1 })).toBe('hang');
  });
});

describe('FaultPlan', () => {
  it('draws two numbers per request whatever the settings, so outcomes depend only on seed and order', () => {
    const settings = { latencyMs: 10, jitterMs: 20, faults: { 500: 0.5 } };
    const a = new FaultPlan(99);
    const b = new FaultPlan(99);
    const seqA = Array.from({ length: 50 }, () => a.next(settings));
    // b sees different latency settings but the same faults: the same fault sequence.
    const seqB = Array.from({ length: 50 }, () => b.next({ ...settings, latencyMs: 0, jitterMs: 0 }));
    expect(seqB.map((d) => d.fault)).toEqual(seqA.map((d) => d.fault));
    expect(seqA.every((d) => d.delayMs >= 10 && d.delayMs <= 30)).toBe(true);
    expect(seqB.every((d) => d.delayMs === 0)).toBe(true);
    expect(new Set(seqA.map((d) => d.fault)).size).toBe(2);
  });

  it('reseed restarts the sequence', () => {
    const plan = new FaultPlan(5);
    const settings = { latencyMs: 0, jitterMs: 0, faults: { 502: 0.5 } };
    const first = Array.from({ length: 20 }, () => plan.next(settings).fault);
    plan.reseed(5);
    expect(Array.from({ length: 20 }, () => plan.next(settings).fault)).toEqual(first);
  });
});

describe('TokenBucket', () => {
  it('allows a burst of max(1, rate), then refills at rate per second', () => {
    const bucket = new TokenBucket(4, 0);
    expect([1, 2, 3, 4, 5].map(() => bucket.tryTake(0))).toEqual([true, true, true, true, false]);
    expect(bucket.tryTake(200)).toBe(false); // 0.8 token
    expect(bucket.tryTake(250)).toBe(true); // 1.0 token
    expect(bucket.tryTake(10_000)).toBe(true);
    expect([1, 2, 3].map(() => bucket.tryTake(10_000))).toEqual([true, true, true]);
    expect(bucket.tryTake(10_000)).toBe(false); // capped at the capacity
  });

  it('a rate below 1 still lets one request through, then one every 1/rate seconds', () => {
    const bucket = new TokenBucket(0.5, 0);
    expect(bucket.tryTake(0)).toBe(true);
    expect(bucket.tryTake(1_000)).toBe(false);
    expect(bucket.tryTake(2_000)).toBe(true);
  });

  it('never admits more than rate × seconds + burst over a long run', () => {
    const bucket = new TokenBucket(10, 0);
    let admitted = 0;
    for (let t = 0; t <= 5_000; t += 7) if (bucket.tryTake(t)) admitted += 1;
    expect(admitted).toBeLessThanOrEqual(10 * 5 + 10);
    expect(admitted).toBeGreaterThanOrEqual(10 * 5);
  });

  it('words the throttling message like APIG', () => {
    expect(throttleMessage(20)).toBe(
      'The throttling threshold has been reached: policy user over ratelimit,limit:20,time:1 second',
    );
  });
});
