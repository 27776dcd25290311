/**
 * withRetry (lib/traffic/with-retry.ts): a call stopped while it waits to retry ends as an aborted
 * FdiError, promptly, without another attempt — a value the run reports, not a crash.
 */
import { describe, expect, it } from 'vitest';
import { FdiError } from '../../../lib/fdi/client/fdi-error.js';
import type { RetryPolicy } from '../../../lib/traffic/retry-policy.js';
import { withRetry } from '../../../lib/traffic/with-retry.js';

/** Backoffs of a minute: a test that waits one out times out. */
const SLOW: RetryPolicy = {
  maxAttempts: 5,
  maxThrottledAttempts: 5,
  baseDelayMs: 60_000,
  maxDelayMs: 60_000,
  maxRetryAfterMs: 60_000,
};
const FAST: RetryPolicy = { ...SLOW, baseDelayMs: 1, maxDelayMs: 1 };

const unavailable = () =>
  new FdiError({ kind: 'http', operation: 'GET /tasks', status: 503, errorCode: 'APIGW.0301', errorMsg: 'busy' });

describe('withRetry', () => {
  it('stopped during its backoff: rejects at once with an aborted FdiError of the call, no further attempt', async () => {
    const stop = new AbortController();
    let attempts = 0;
    const delays: number[] = [];
    const started = Date.now();
    const call = withRetry(
      () => {
        attempts += 1;
        return Promise.reject(unavailable());
      },
      {
        policy: SLOW,
        signal: stop.signal,
        random: () => 0.5,
        onRetry: (_err, delayMs) => {
          delays.push(delayMs);
          // Stopped while the backoff has just begun.
          setTimeout(() => stop.abort(new Error('deadline')), 20);
        },
      },
    );

    const err = await call.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FdiError);
    expect(err).toMatchObject({ kind: 'aborted', operation: 'GET /tasks', message: 'GET /tasks was aborted' });
    expect((err as FdiError).toReport()).toMatchObject({ error_code: 'ABORTED' });
    expect(attempts).toBe(1);
    expect(delays).toEqual([30_000]);
    expect(Date.now() - started).toBeLessThan(5_000);
  }, 10_000);

  it('a signal stopped before the first failure: the backoff is not waited, the call ends aborted', async () => {
    const stop = new AbortController();
    let attempts = 0;
    const err = await withRetry(
      () => {
        attempts += 1;
        stop.abort();
        return Promise.reject(unavailable());
      },
      { policy: SLOW, signal: stop.signal, random: () => 0.5 },
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'aborted', operation: 'GET /tasks' });
    expect(attempts).toBe(1);
  });

  it('not stopped: retries a 503 until it succeeds; a 400 is thrown as it is', async () => {
    let attempts = 0;
    const value = await withRetry(() => (++attempts < 3 ? Promise.reject(unavailable()) : Promise.resolve('ok')), {
      policy: FAST,
      signal: new AbortController().signal,
      random: () => 0.5,
    });
    expect(value).toBe('ok');
    expect(attempts).toBe(3);

    const bad = new FdiError({ kind: 'http', operation: 'POST /tasks', status: 400 });
    let tries = 0;
    await expect(
      withRetry(
        () => {
          tries += 1;
          return Promise.reject(bad);
        },
        { policy: FAST },
      ),
    ).rejects.toBe(bad);
    expect(tries).toBe(1);
  });
});
