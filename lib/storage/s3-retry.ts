/**
 * The S3 client's retries, without the SDK's retry quota. The SDK's standard and adaptive modes share
 * a bucket of 500 retry tokens per client (5 a retry, 10 after a timeout) and stop retrying at all once
 * it is empty: under a store answering 40% of requests with `503 SlowDown`, 500 or resets, a handler
 * with a few requests in flight drained it within seconds, and then every fault failed its run
 * (docs/RELIABILITY.md, "The store fails too"). Here each request is bounded by its own attempts
 * instead: a server error, a throttling answer or a transient network error (reset, timeout) is
 * retried after an exponential, fully jittered delay (longer for throttling), up to `maxAttempts`;
 * a client error (404, 412, 403 …) never is.
 */
import type { S3ClientConfig } from '@aws-sdk/client-s3';

/** The SDK's view of a failed attempt (RetryErrorInfo of @smithy/types). */
interface AttemptError {
  errorType: 'TRANSIENT' | 'THROTTLING' | 'SERVER_ERROR' | 'CLIENT_ERROR';
  retryAfterHint?: Date;
}

interface Token {
  getRetryCount(): number;
  getRetryDelay(): number;
}

export interface StoreRetryOptions {
  maxAttempts: number;
  /** The first retry waits up to this (full jitter), doubling each time; throttling waits 5× as long. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** [0, 1): the jitter's source (tests pin it). */
  random?: () => number;
}

const token = (count: number, delay: number): Token => ({ getRetryCount: () => count, getRetryDelay: () => delay });

export function storeRetryStrategy(options: StoreRetryOptions): NonNullable<S3ClientConfig['retryStrategy']> {
  const base = options.baseDelayMs ?? 100;
  const cap = options.maxDelayMs ?? 20_000;
  const random = options.random ?? Math.random;
  return {
    acquireInitialRetryToken: () => Promise.resolve(token(0, 0)),
    refreshRetryTokenForRetry(previous: Token, error: AttemptError): Promise<Token> {
      const count = previous.getRetryCount() + 1;
      // Thrown, the SDK gives up and throws the attempt's own error.
      if (error.errorType === 'CLIENT_ERROR' || count >= options.maxAttempts)
        return Promise.reject(new Error('no retry'));
      const scale = error.errorType === 'THROTTLING' ? 5 * base : base;
      let delay = Math.min(cap, random() * scale * 2 ** (count - 1));
      const hinted = error.retryAfterHint ? error.retryAfterHint.getTime() - Date.now() : 0;
      if (hinted > delay) delay = Math.min(cap, hinted);
      return Promise.resolve(token(count, delay));
    },
    recordSuccess: () => undefined,
  } as NonNullable<S3ClientConfig['retryStrategy']>;
}
