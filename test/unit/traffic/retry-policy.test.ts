import { describe, expect, it } from 'vitest';
import { FdiError } from '../../../lib/fdi/client/fdi-error.js';
import { backoffDelay, decideRetry, type RetryPolicy } from '../../../lib/traffic/retry-policy.js';

const policy: RetryPolicy = {
  maxAttempts: 5,
  maxThrottledAttempts: 12,
  baseDelayMs: 100,
  maxDelayMs: 1000,
  maxRetryAfterMs: 30_000,
};
const http = (status: number, extra: Partial<ConstructorParameters<typeof FdiError>[0]> = {}) =>
  new FdiError({ kind: 'http', operation: 'POST /tasks', status, ...extra });
const net = (code: string) => new FdiError({ kind: 'network', operation: 'POST /tasks', code });

describe('decideRetry', () => {
  it.each([
    ['500', http(500), true],
    ['502', http(502), true],
    ['503', http(503), true],
    ['504', http(504), true],
    ['429', http(429), true],
    ['ECONNRESET', net('ECONNRESET'), true],
    ['ECONNREFUSED', net('ECONNREFUSED'), true],
    ['timeout', new FdiError({ kind: 'timeout', operation: 'x' }), true],
    ['400', http(400), false],
    ['404', http(404), false],
    ['401', http(401), false],
    ['403', http(403), false],
    ['409', http(409), false],
    ['aborted', new FdiError({ kind: 'aborted', operation: 'x' }), false],
    ['a plain Error', new Error('boom'), false],
  ])('%s → retry %s', (_n, err, retry) => {
    expect(decideRetry(err, 1, policy, () => 0.5).retry).toBe(retry);
  });

  it('stops at maxAttempts', () => {
    expect(decideRetry(http(500), 4, policy, () => 0.5).retry).toBe(true);
    expect(decideRetry(http(500), 5, policy, () => 0.5)).toEqual({ retry: false, reason: 'gave up after 5 attempts' });
  });

  it('gives throttling (429) more attempts than failures', () => {
    expect(decideRetry(http(429), 5, policy, () => 0.5).retry).toBe(true);
    expect(decideRetry(http(429), 11, policy, () => 0.5).retry).toBe(true);
    expect(decideRetry(http(429), 12, policy, () => 0.5).retry).toBe(false);
    expect(decideRetry(http(503), 6, policy, () => 0.5).retry).toBe(false);
  });

  it('honours Retry-After as a floor', () => {
    const d = decideRetry(http(429, { retryAfterS: 3 }), 1, policy, () => 0);
    expect(d).toEqual({ retry: true, delayMs: 3000 });
  });
});

describe('backoffDelay (full jitter, capped exponential)', () => {
  it.each([
    [1, 1, 100],
    [2, 1, 200],
    [3, 1, 400],
    [4, 1, 800],
    [5, 1, 1000],
    [10, 1, 1000],
  ])('attempt %i with random→%f stays under %i', (n, r, ceiling) => {
    const almostOne = r - 1e-9;
    expect(backoffDelay(n, policy, () => almostOne)).toBe(ceiling - 1);
    expect(backoffDelay(n, policy, () => 0)).toBe(0);
  });

  it('caps Retry-After at maxRetryAfterMs', () => {
    expect(backoffDelay(1, policy, () => 0, 3600)).toBe(30_000);
  });
});
