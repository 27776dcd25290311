/**
 * The quota the API gateway states in its own throttling answer. Huawei's gateway answers a throttled
 * request with 429, error code `APIG.0308` (or `APIGW.0308`) and a message such as
 * `The throttling threshold has been reached: policy user over ratelimit,limit:20,time:1 second`
 * (`policy ip …`, `time:1 minute`, seen in the wild). Pure: anything else is `undefined`, and the run
 * keeps adapting to the share of 429s as before.
 */

/** A quota as the gateway states it: `limit` requests per `periodSeconds`. */
export interface LearnedQuota {
  limit: number;
  periodSeconds: number;
}

const THROTTLE_CODES = new Set(['APIG.0308', 'APIGW.0308']);

const UNIT_SECONDS: Record<string, number> = { second: 1, minute: 60, hour: 3600, day: 86_400 };

/** `limit : 20 , time : 1 second(s)` anywhere in the message, any case, any spacing. */
const PATTERN = /limit\s*[:=]\s*(\d+(?:\.\d+)?)\s*,\s*time\s*[:=]\s*(\d+(?:\.\d+)?)?\s*(second|minute|hour|day)s?\b/i;

/**
 * The quota in a throttling answer, or undefined when the code is not the gateway's throttling code or
 * the message does not state a usable limit. `errorCode` may be omitted to judge the message alone.
 */
export function parseThrottleQuota(
  errorCode: string | undefined,
  errorMsg: string | undefined,
): LearnedQuota | undefined {
  if (errorCode !== undefined && !THROTTLE_CODES.has(errorCode.trim().toUpperCase())) return undefined;
  if (!errorMsg) return undefined;
  const m = PATTERN.exec(errorMsg);
  if (!m) return undefined;
  const limit = Number(m[1]);
  const count = m[2] === undefined ? 1 : Number(m[2]);
  const periodSeconds = count * UNIT_SECONDS[m[3].toLowerCase()];
  if (!Number.isFinite(limit) || limit <= 0 || !Number.isFinite(periodSeconds) || periodSeconds <= 0) return undefined;
  return { limit, periodSeconds };
}

/** Requests per second the quota allows, paced: 120 a minute is 2/s. */
export function quotaRate(q: LearnedQuota): number {
  return q.limit / q.periodSeconds;
}

/** How many requests the quota lets leave at once: one second's worth for a per-second quota, none (1) for a longer period. */
export function quotaBurst(q: LearnedQuota): number {
  return q.periodSeconds <= 1 ? Math.max(1, Math.floor(quotaRate(q))) : 1;
}

/** The quota in words, for the run's notes: "20 requests per second", "120 requests per 1 minute". */
export function describeQuota(q: LearnedQuota): string {
  const unit =
    q.periodSeconds === 1
      ? 'second'
      : q.periodSeconds % 3600 === 0
        ? `${q.periodSeconds / 3600} hour(s)`
        : q.periodSeconds % 60 === 0
          ? `${q.periodSeconds / 60} minute(s)`
          : `${q.periodSeconds} seconds`;
  return `${q.limit} requests per ${unit}`;
}
