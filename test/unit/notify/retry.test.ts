/** When a run-end notice is tried again, and after how long (lib/notify/retry.ts): table tests. */
import { describe, expect, it } from 'vitest';
import { retryAfterMs, retryDelay, type AttemptResult } from '../../../lib/notify/retry.js';

const budget = { attempts: 4, remainingMs: 60_000 };
const mid = () => 0.5;

describe('retryDelay', () => {
  it.each<[string, AttemptResult, number, number | undefined]>([
    ['delivered', { status: 200 }, 1, undefined],
    ['204 delivered', { status: 204 }, 1, undefined],
    ['400: final', { status: 400 }, 1, undefined],
    ['401: final', { status: 401 }, 1, undefined],
    ['404: final', { status: 404 }, 1, undefined],
    ['a redirect: final (not followed)', { status: 302 }, 1, undefined],
    ['a chat tool refusing: final', { refused: 'code 19021' }, 1, undefined],
    ['500 after the first attempt: 375 ms (500 ms, equal jitter at 0.5)', { status: 500 }, 1, 375],
    ['503 after the second: 750 ms', { status: 503 }, 2, 750],
    ['502 after the third: 1500 ms', { status: 502 }, 3, 1500],
    ['408: tried again', { status: 408 }, 1, 375],
    ['429: tried again', { status: 429 }, 1, 375],
    ['429 with Retry-After: as asked', { status: 429, retryAfterMs: 2000 }, 1, 2000],
    ['a reset: tried again', { error: 'ECONNRESET' }, 1, 375],
    ['an attempt timed out: tried again', { error: 'ETIMEDOUT' }, 2, 750],
    ['the last attempt: given up', { status: 500 }, 4, undefined],
  ])('%s', (_what, result, attempt, expected) => {
    expect(retryDelay(result, attempt, budget, mid)).toBe(expected);
  });

  it('the pause is capped at 4 s, spread over its upper half', () => {
    const many = { attempts: 10, remainingMs: 60_000 };
    expect(retryDelay({ status: 500 }, 8, many, () => 0)).toBe(2000);
    expect(retryDelay({ status: 500 }, 8, many, () => 0.999_999)).toBe(4000);
  });

  it('gives up when the pause would leave no time for another attempt', () => {
    expect(retryDelay({ status: 500 }, 1, { attempts: 4, remainingMs: 400 }, mid)).toBeUndefined();
    expect(retryDelay({ status: 500 }, 1, { attempts: 4, remainingMs: 475 }, mid)).toBe(375);
    expect(retryDelay({ status: 429, retryAfterMs: 30_000 }, 1, { attempts: 4, remainingMs: 10_000 }, mid)).toBe(
      undefined,
    );
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2026-11-29T12:00:00Z');
  it.each<[string | undefined, number | undefined]>([
    [undefined, undefined],
    ['', undefined],
    ['3', 3000],
    ['0', 0],
    ['Sun, 29 Nov 2026 12:00:05 GMT', 5000],
    ['Sun, 29 Nov 2026 11:59:00 GMT', 0],
    ['soon', undefined],
  ])('%s → %s', (header, expected) => {
    expect(retryAfterMs(header, now)).toBe(expected);
  });
});
