/**
 * The traffic of one run: the scheduler every request passes (concurrency cap, rate limiter, request
 * counters) and the retry context every call retries with. A retry is counted, and a server's
 * Retry-After pauses the whole run's limiter, not just the request that got it.
 */
import { setMaxListeners } from 'node:events';
import type { Limits } from '../config.js';
import type { Logger } from '../logger.js';
import type { RequestCounts } from '../types.js';
import { describeQuota, type LearnedQuota } from './quota-message.js';
import { DEFAULT_RETRY_POLICY } from './retry-policy.js';
import { createScheduler, type AttemptLog, type Scheduler, type TrafficTimeline } from './scheduler.js';
import type { RetryContext } from './with-retry.js';

export interface Traffic {
  scheduler: Scheduler;
  retry: RetryContext;
  /** This run's request counters so far. */
  counts(): RequestCounts;
  /** The quota the gateway stated in a 429 (this invocation or an earlier one), for the checkpoint. */
  learned(): LearnedQuota | undefined;
}

export interface TrafficOptions {
  signal?: AbortSignal | undefined;
  log: Logger;
  /**
   * Requests the gateway accepts at once above the rate (FDI_BURST, the operator's): spent at the
   * start, as a token bucket of that capacity refilled at the rate (rate-limiter.ts). 0 or absent:
   * none, and no one-second window holds more than the rate.
   */
  burst?: number | undefined;
  /** A quota an earlier invocation of the run learned: this one starts at it. */
  learned?: LearnedQuota | undefined;
  /** The gateway stated its quota and the run's rate changed to it (once per change; for the run's notes). */
  onLearned?: ((note: string) => void) | undefined;
  /** Where requests, throttles, failures and retries are counted per second (report.json's `timeline`). */
  timeline?: TrafficTimeline | undefined;
}

/** `log` shows every request and retry at the debug level (never headers or bodies). */
export function createTraffic(limits: Limits, options: TrafficOptions): Traffic {
  const debug: AttemptLog | undefined = options.log.isLevelEnabled('debug')
    ? (fields, message) => options.log.debug(fields, message)
    : undefined;
  const scheduler = createScheduler({
    concurrency: limits.concurrency,
    rate: limits.rate,
    debug,
    burst: Math.max(1, options.burst ?? 0),
    learned: options.learned,
    timeline: options.timeline,
    onLearned: (quota, rate) => {
      const note = learnedNote(quota, rate);
      options.log.info({ limit: quota.limit, period_s: quota.periodSeconds, rate }, 'quota learned from the gateway');
      options.onLearned?.(note);
    },
  });
  // Every request and every backoff of the run listens on the one signal.
  if (options.signal) setMaxListeners(0, options.signal);
  const retry: RetryContext = {
    policy: { ...DEFAULT_RETRY_POLICY, maxAttempts: limits.maxAttempts },
    signal: options.signal,
    onRetry: (err, delayMs) => {
      scheduler.stats.retries += 1;
      options.timeline?.add('retried');
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
  return { scheduler, retry, counts, learned: () => scheduler.limiter.learned };
}

/** The run's note when a 429 stated the gateway's quota. */
export function learnedNote(quota: LearnedQuota, rate: number): string {
  const r = Math.round(rate * 100) / 100;
  return `The API gateway stated its quota in a 429 (${describeQuota(quota)}): the run's rate was set to ${r} requests/s.`;
}
