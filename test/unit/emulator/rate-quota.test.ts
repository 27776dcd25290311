/**
 * The emulator's quota models and periods (emulator/rate-quota.ts): a token bucket that lets a
 * period's quota go at once, a strict sliding window, per second or per minute, and the 429 message
 * in both forms, which the product's parser reads back.
 */
import { describe, expect, it } from 'vitest';
import { checkRuntimePatch, resolveOptions } from '../../../emulator/options.js';
import { newRateQuota, SlidingWindow, throttleMessage, TokenBucket } from '../../../emulator/rate-quota.js';
import { parseThrottleQuota } from '../../../lib/traffic/quota-message.js';

/** How many of `times` (ms) the quota accepts. */
function accepted(quota: { tryTake(now: number): boolean }, times: number[]): number[] {
  return times.filter((t) => quota.tryTake(t));
}

describe('the quota models', () => {
  it('bucket: a second of quota at once, then the refill — up to twice the limit in the first second', () => {
    const bucket = new TokenBucket(10, 0);
    const every10ms = Array.from({ length: 100 }, (_, i) => i * 10);
    // 10 at once, then one per 100 ms.
    expect(accepted(bucket, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]).length).toBe(10);
    expect(
      accepted(
        bucket,
        every10ms.map((t) => t + 1),
      ).length,
    ).toBe(9);
  });

  it('window: never more than ⌊limit⌋ in any sliding second, whatever the pattern', () => {
    const window = new SlidingWindow(10);
    const times = Array.from({ length: 400 }, (_, i) => i * 7 + (i % 3));
    const ok = accepted(window, times);
    for (let i = 10; i < ok.length; i++) expect(ok[i] - ok[i - 10]).toBeGreaterThan(999);
    // A burst of the limit is accepted; the next request only a period after the first.
    const w = new SlidingWindow(5);
    expect(accepted(w, [0, 0, 0, 0, 0, 0, 999, 1000]).length).toBe(6);
  });

  it('per minute: the bucket holds a minute of quota and refills limit/60 a second', () => {
    const bucket = newRateQuota(120, 0, 'minute', 'bucket');
    expect(
      accepted(
        bucket,
        Array.from({ length: 200 }, () => 0),
      ).length,
    ).toBe(120);
    // 2 a second afterwards: 19.7 tokens by 9.85 s.
    expect(
      accepted(
        bucket,
        Array.from({ length: 40 }, (_, i) => 100 + i * 250),
      ).length,
    ).toBe(19);
    const window = newRateQuota(120, 0, 'minute', 'window');
    expect(
      accepted(
        window,
        Array.from({ length: 200 }, (_, i) => i * 100),
      ).length,
    ).toBe(120);
    expect(window.tryTake(60_001)).toBe(true);
  });

  it('the 429 says the limit and its period, or only that it throttled; the product reads it back', () => {
    expect(throttleMessage(20)).toBe(
      'The throttling threshold has been reached: policy user over ratelimit,limit:20,time:1 second',
    );
    expect(parseThrottleQuota('APIGW.0308', throttleMessage(120, 'minute'))).toEqual({ limit: 120, periodSeconds: 60 });
    expect(parseThrottleQuota('APIGW.0308', throttleMessage(50, 'second'))).toEqual({ limit: 50, periodSeconds: 1 });
    expect(parseThrottleQuota('APIGW.0308', throttleMessage(50, 'second', 'plain'))).toBeUndefined();
  });

  it('options: the period, model and message are checked and defaulted', () => {
    const o = resolveOptions({ rateQuota: 120, rateQuotaPeriod: 'minute', rateQuotaModel: 'window' });
    expect(o).toMatchObject({ rateQuotaPeriod: 'minute', rateQuotaModel: 'window', rateQuotaMessage: 'limit' });
    expect(resolveOptions({})).toMatchObject({ rateQuotaPeriod: 'second', rateQuotaModel: 'bucket' });
    expect(checkRuntimePatch({ rateQuotaPeriod: 'hour', rateQuotaModel: 'leaky', rateQuotaMessage: 'x' })).toEqual([
      'rateQuotaPeriod must be one of "second", "minute" (got "hour")',
      'rateQuotaModel must be one of "bucket", "window" (got "leaky")',
      'rateQuotaMessage must be one of "limit", "plain" (got "x")',
    ]);
  });
});
