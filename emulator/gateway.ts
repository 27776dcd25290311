/**
 * The answers the API gateway in front of FDI gives on its own: throttling, injected 5xx, unknown
 * routes. Bodies are `{error_code, error_msg}`; sendError adds `request_id`.
 */
import type { ServerResponse } from 'node:http';
import { ERROR_CODES } from '../lib/fdi/model/api.js';
import type { FaultKind } from './options.js';
import { throttleMessage, type QuotaMessage, type QuotaPeriod } from './rate-quota.js';
import { sendError } from './http.js';

/** The limit shown in an injected 429 when no rate quota is configured (APIG's default per-API limit). */
const DEFAULT_SHOWN_LIMIT = 200;

/** 429 APIGW.0308 stating the quota (per second or minute) unless told not to, with Retry-After when configured. */
export function sendThrottled(
  res: ServerResponse,
  quota: {
    rateQuota?: number | undefined;
    retryAfterSeconds?: number | undefined;
    rateQuotaPeriod?: QuotaPeriod | undefined;
    rateQuotaMessage?: QuotaMessage | undefined;
  },
): void {
  const { rateQuota, retryAfterSeconds } = quota;
  const headers: Record<string, string> =
    retryAfterSeconds === undefined ? {} : { 'Retry-After': String(retryAfterSeconds) };
  const period = rateQuota === undefined ? 'second' : (quota.rateQuotaPeriod ?? 'second');
  const message = throttleMessage(rateQuota ?? DEFAULT_SHOWN_LIMIT, period, quota.rateQuotaMessage ?? 'limit');
  sendError(res, 429, ERROR_CODES.throttled, message, headers);
}

/** 404 APIGW.0101: wrong path or method. */
export function sendUnknownRoute(res: ServerResponse): void {
  sendError(res, 404, ERROR_CODES.apiNotFound, 'The API does not exist or has not been published in the environment.');
}

/**
 * The error answers of the fault kinds that answer at all (reset and hang do not). 502/504 use APIG's
 * documented backend codes; 503 has no documented APIG code, APIGW.0202 is an assumption.
 */
export const FAULT_ANSWERS: Partial<Record<FaultKind, { status: number; code: string; message: string }>> = {
  '500': { status: 500, code: ERROR_CODES.networkError, message: 'Network error.' },
  '500-after-commit': { status: 500, code: ERROR_CODES.networkError, message: 'Network error.' },
  '502': { status: 502, code: 'APIGW.0202', message: 'Backend unavailable.' },
  '503': { status: 503, code: 'APIGW.0202', message: 'Service unavailable.' },
  '504': { status: 504, code: 'APIGW.0203', message: 'Backend timeout.' },
};

/** 404 for a project or instance the emulator does not have (code assumed, docs/FDI-API.md §7 and §10). */
export function sendUnknownInstance(res: ServerResponse, what: 'project' | 'instance', id: string): void {
  sendError(res, 404, ERROR_CODES.instanceNotFound, `The ${what} ${JSON.stringify(id)} does not exist.`);
}
