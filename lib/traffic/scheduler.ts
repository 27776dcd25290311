/**
 * The scheduler every request of a run goes through: a `p-limit` concurrency cap, then the shared rate
 * limiter, then the attempt. It also keeps the run's request statistics and feeds 429s back into the
 * rate (the quota a 429 states, else multiplicative decrease; Retry-After pause).
 */
import pLimit from 'p-limit';
import type { AttemptEvent, RequestGate } from '../fdi/client/client.js';
import { parseThrottleQuota, type LearnedQuota } from './quota-message.js';
import { RateLimiter } from './rate-limiter.js';

export interface RequestStats {
  requests: number;
  retries: number;
  throttled: number;
  byStatus: Record<string, number>;
}

export interface Scheduler {
  gate: RequestGate;
  limiter: RateLimiter;
  stats: RequestStats;
  /** Pass to the client as `observe`. */
  observe(event: AttemptEvent): void;
  /** Requests currently holding a concurrency slot. */
  readonly active: number;
}

/** Counts the run's answers and retries per second (the orchestrator's recorder of report.json's `timeline`). */
export interface TrafficTimeline {
  add(series: 'accepted' | 'throttled' | 'failed' | 'retried'): void;
}

/** Logs what the debug level shows of each attempt (never headers or bodies). */
export type AttemptLog = (fields: Record<string, unknown>, message: string) => void;

export function createScheduler(options: {
  concurrency: number;
  rate: number;
  now?: (() => number) | undefined;
  debug?: AttemptLog | undefined;
  /** Requests that may leave at once: the rate is a known quota (rate-limiter.ts). Default 1. */
  burst?: number | undefined;
  /** A quota learned by an earlier invocation of the run. */
  learned?: LearnedQuota | undefined;
  /** The gateway stated a quota that changed the run's rate. */
  onLearned?: ((quota: LearnedQuota, rate: number) => void) | undefined;
  /** Where each answer is counted per second (report.json's `timeline`). */
  timeline?: TrafficTimeline | undefined;
}): Scheduler {
  const limit = pLimit(options.concurrency);
  const limiter = new RateLimiter(options.rate, { now: options.now, burst: options.burst, learned: options.learned });
  const stats: RequestStats = { requests: 0, retries: 0, throttled: 0, byStatus: {} };
  /** Reads the quota a throttled answer states (APIG.0308) into the run's limiter. */
  const learnFrom = (error: { errorCode?: string | undefined; errorMsg?: string | undefined }) => {
    const quota = parseThrottleQuota(error.errorCode, error.errorMsg);
    if (quota && limiter.learn(quota)) options.onLearned?.(quota, limiter.rate);
  };
  return {
    limiter,
    stats,
    get active() {
      return limit.activeCount;
    },
    gate: {
      run: (attempt, signal) =>
        limit(async () => {
          await limiter.acquire(signal);
          return attempt();
        }),
    },
    observe(event) {
      stats.requests += 1;
      options.debug?.(
        {
          operation: event.operation,
          status: event.status,
          error: event.error?.errorCode ?? event.error?.code,
          ms: Math.round(event.durationMs),
          rate: Math.round(limiter.rate * 10) / 10,
        },
        'request',
      );
      const key =
        event.status !== undefined ? String(event.status) : (event.error?.code ?? event.error?.kind ?? 'error');
      stats.byStatus[key] = (stats.byStatus[key] ?? 0) + 1;
      const timeline = options.timeline;
      if (timeline) {
        const ok = event.status !== undefined && event.status < 400;
        timeline.add(ok ? 'accepted' : event.status === 429 ? 'throttled' : 'failed');
      }
      if (event.status === 429) {
        stats.throttled += 1;
        if (event.error) learnFrom(event.error);
        limiter.record('throttled');
      } else if (event.status !== undefined) {
        limiter.record('ok');
      }
    },
  };
}
