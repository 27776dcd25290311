/**
 * The typed error of one failed FDI call. It carries what a report needs (status, error code and message,
 * request id) and what the retry policy needs (kind, whether the request may have reached the server),
 * and never a token, signature or credential.
 */
import { ProvisionerError } from '../../errors.js';

/** How a call failed. `http`: the server answered an error status. */
export type FdiErrorKind = 'http' | 'timeout' | 'network' | 'aborted';

/** Network error codes that prove the request never reached the server, so a create is not ambiguous. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export interface FdiErrorData {
  kind: FdiErrorKind;
  /** `METHOD /path` of the call (no query, no host). */
  operation: string;
  status?: number | undefined;
  errorCode?: string | undefined;
  errorMsg?: string | undefined;
  requestId?: string | undefined;
  /** Low-level code such as ECONNRESET or ETIMEDOUT. */
  code?: string | undefined;
  /** Seconds from a `Retry-After` header. */
  retryAfterS?: number | undefined;
}

export class FdiError extends ProvisionerError {
  readonly kind: FdiErrorKind;
  readonly operation: string;
  readonly status?: number | undefined;
  readonly errorCode?: string | undefined;
  readonly errorMsg?: string | undefined;
  readonly requestId?: string | undefined;
  readonly code?: string | undefined;
  readonly retryAfterS?: number | undefined;

  constructor(data: FdiErrorData, options?: { cause?: unknown }) {
    super(describe(data), options);
    this.kind = data.kind;
    this.operation = data.operation;
    this.status = data.status;
    this.errorCode = data.errorCode;
    this.errorMsg = data.errorMsg;
    this.requestId = data.requestId;
    this.code = data.code;
    this.retryAfterS = data.retryAfterS;
  }

  /** True when the server may have acted on the request (an answer of 5xx, a timeout, a reset after sending). */
  get mayHaveReachedServer(): boolean {
    if (this.kind === 'http') return this.status !== undefined && this.status >= 500;
    if (this.kind === 'network') return !NOT_SENT_CODES.has(this.code ?? '');
    return this.kind === 'timeout' || this.kind === 'aborted';
  }

  /** The error as plain report fields. */
  toReport(): { http_status?: number | undefined; error_code: string; error_msg: string } {
    return {
      http_status: this.status,
      error_code:
        this.errorCode ?? (this.kind === 'http' ? `HTTP.${this.status}` : (this.code ?? this.kind.toUpperCase())),
      error_msg: this.errorMsg ?? this.message,
    };
  }
}

function describe(d: FdiErrorData): string {
  if (d.kind === 'http') {
    const code = d.errorCode ? ` ${d.errorCode}` : '';
    const msg = d.errorMsg ? `: ${d.errorMsg}` : '';
    return `${d.operation} failed with HTTP ${d.status}${code}${msg}`;
  }
  if (d.kind === 'timeout') return `${d.operation} timed out`;
  if (d.kind === 'aborted') return `${d.operation} was aborted`;
  return `${d.operation} failed: ${d.code ?? 'network error'}`;
}

/** True for an error body saying the task name is taken (the API has no dedicated code; see docs/FDI-API.md §7). */
export function isNameTaken(err: unknown): boolean {
  return err instanceof FdiError && err.status === 400 && /already exist/i.test(err.errorMsg ?? '');
}

/** True for an authentication failure (401: APIGW.0301 wrong credentials, APIGW.0307 token to be updated). */
export function isAuthFailure(err: unknown): boolean {
  return err instanceof FdiError && err.status === 401;
}
