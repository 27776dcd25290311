/**
 * The traffic of one run: the scheduler every request passes (concurrency cap, rate limiter, request
 * counters) and the retry context every call retries with. A retry is counted, and a server's
 * Retry-After pauses the whole run's limiter, not just the request that got it.
 */
import { setMaxListeners } from 'node:events';
import type { Limits } from '../config.js';
import type { Logger } from '../logger.js';
import type { RequestCounts } from '../types.js';
import { DEFAULT_RETRY_POLICY } from './retry-policy.js';
import { createScheduler, type AttemptLog, type Scheduler } from './scheduler.js';
import type { RetryContext } from './with-retry.js';

export interface Traffic {
  scheduler: Scheduler;
  retry: RetryContext;
  /** This run's request counters so far. */
  counts(): RequestCounts;
}

/** `log` shows every request and retry at the debug level (never headers or bodies). */
export function createTraffic(limits: Limits, options: { signal?: AbortSignal | undefined; log: Logger }): Traffic {
  const debug: AttemptLog | undefined = options.log.isLevelEnabled('debug')
    ? (fields, message) => options.log.debug(fields, message)
    : undefined;
  const scheduler = createScheduler({ concurrency: limits.concurrency, rate: limits.rate, debug });
  // Every request and every backoff of the run listens on the one signal.
  if (options.signal) setMaxListeners(0, options.signal);
  const retry: RetryContext = {
    policy: { ...DEFAULT_RETRY_POLICY, maxAttempts: limits.maxAttempts },
    signal: options.signal,
    onRetry: (err, delayMs) => {
      scheduler.stats.retries += 1;
      debug?.(
        { operation: err.operation, status: err.status, error: err.errorCode ?? err.code, delay_ms: delayMs },
        'retrying',
      );
      if (err.retryAfterS !== undefined) scheduler.limiter.pauseFor(Math.min(delayMs, err.retryAfterS * 1000));
    },
  };
  const counts = () => ({
    requests: scheduler.stats.requests,
    retries: scheduler.stats.retries,
    throttled: scheduler.stats.throttled,
  });
  return { scheduler, retry, counts };
}
