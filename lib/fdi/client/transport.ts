/**
 * One HTTP call to FDI on a configured `got` instance: the attempt passes the caller's gate
 * (concurrency cap and rate limiter) and is reported to an observer; a 401 refreshes the credentials
 * once and repeats; any other non-2xx is a typed `FdiError` without any credential in it. No retries:
 * they belong to the run (lib/traffic), which alone knows whether a call may be repeated.
 */
import http from 'node:http';
import https from 'node:https';
import got, { type Got, type Response } from 'got';
import type { FdiErrorBody } from '../model/api.js';
import type { Authenticator } from './auth.js';
import { FdiError } from './fdi-error.js';

/** Runs one HTTP attempt when the scheduler allows it (concurrency slot and rate token). */
export interface RequestGate {
  run<T>(attempt: () => Promise<T>, signal?: AbortSignal): Promise<T>;
}

/** What the client tells its observer after each attempt. */
export interface AttemptEvent {
  operation: string;
  status?: number | undefined;
  /** Why the attempt failed: no answer, or an error answer (with its status). */
  error?: FdiError | undefined;
  durationMs: number;
}

export interface FdiClientOptions {
  endpoint: string;
  auth: Authenticator;
  timeoutMs: number;
  gate?: RequestGate | undefined;
  observe?: ((event: AttemptEvent) => void) | undefined;
  /** Sockets kept open per host; defaults to 64. */
  maxSockets?: number | undefined;
}

export type Query = Record<string, string | number | undefined>;

export interface CallOptions {
  query?: Query | undefined;
  body?: unknown;
  signal?: AbortSignal | undefined;
  /** The answer has no body (204). */
  empty?: boolean | undefined;
}

/** `call(method, path, options)`: the parsed JSON answer, or an `FdiError`. */
export type Call = <T>(method: string, path: string, opts?: CallOptions) => Promise<T>;

const openGate: RequestGate = { run: (attempt) => attempt() };

export function createTransport(options: FdiClientOptions): Call {
  const maxSockets = options.maxSockets ?? 64;
  const http$: Got = got.extend({
    prefixUrl: options.endpoint.replace(/\/+$/, ''),
    retry: { limit: 0 },
    throwHttpErrors: false,
    followRedirect: false,
    timeout: { request: options.timeoutMs },
    responseType: 'text',
    agent: {
      http: new http.Agent({ keepAlive: true, maxSockets }),
      https: new https.Agent({ keepAlive: true, maxSockets }),
    },
  });
  const gate = options.gate ?? openGate;

  /** One call: gated attempt, one credential refresh on 401, typed error on any non-2xx. */
  return async function call<T>(method: string, path: string, opts: CallOptions = {}): Promise<T> {
    const operation = `${method} ${routeOf(path)}`;
    // A stop while the request waits for its slot is an aborted call like any other.
    const gated = () =>
      gate
        .run(() => attempt(http$, options, { method, path, operation, ...opts }), opts.signal)
        .catch((err: unknown) => {
          throw err instanceof FdiError ? err : toFdiError(operation, err, opts.signal);
        });
    let answer = await gated();
    if (answer.res.statusCode === 401 && (await options.auth.refresh(opts.signal))) answer = await gated();
    const { res, error } = answer;
    if (res.statusCode < 200 || res.statusCode >= 300) throw error ?? httpError(operation, res);
    if (opts.empty || res.body === '') return undefined as T;
    try {
      return JSON.parse(res.body) as T;
    } catch (err) {
      const data = { status: res.statusCode, errorCode: 'CLIENT.BAD_JSON', errorMsg: 'the response body is not JSON' };
      throw new FdiError({ kind: 'http', operation, ...data }, { cause: err });
    }
  };
}

/** One HTTP attempt, authenticated and reported to the observer; an error answer (4xx, 5xx) read once, as `error`. */
async function attempt(
  http$: Got,
  options: FdiClientOptions,
  req: CallOptions & { method: string; path: string; operation: string },
): Promise<{ res: Response<string>; error?: FdiError | undefined }> {
  const { method, path, operation, body, signal } = req;
  const search = encodeQuery(req.query);
  const bodyText = body === undefined ? '' : JSON.stringify(body);
  // As Huawei's SDKs send it: a Content-Type on every request, with a charset when there is a body
  // (docs/FDI-API.md §1). The signer leaves Content-Type unsigned.
  const baseHeaders: Record<string, string> = {
    Accept: 'application/json',
    'Content-Type': body === undefined ? 'application/json' : 'application/json;charset=UTF-8',
  };
  const started = performance.now();
  try {
    const url = path + (search ? `?${search}` : '');
    const authHeaders = await options.auth.headers({ method, url, headers: baseHeaders, body: bodyText }, signal);
    const res = await http$(path.slice(1), {
      method: method as 'GET',
      searchParams: search || undefined,
      headers: { ...baseHeaders, ...authHeaders },
      body: body === undefined ? undefined : bodyText,
      signal,
    });
    // An error answer is told with what it says (a 429 may state the gateway's quota, lib/traffic).
    const error = res.statusCode >= 400 ? httpError(operation, res) : undefined;
    options.observe?.({ operation, status: res.statusCode, error, durationMs: performance.now() - started });
    return { res, error };
  } catch (err) {
    const error = err instanceof FdiError ? err : toFdiError(operation, err, signal);
    options.observe?.({ operation, error, durationMs: performance.now() - started });
    throw error;
  }
}

function encodeQuery(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.append(k, String(v));
  return params.toString();
}

/** `/v2/p/fdi/instances/i/tasks/abc` → `/tasks/{id}`-style label for logs and stats. */
function routeOf(path: string): string {
  const m = /\/fdi\/instances\/[^/]+(\/.*)$/.exec(path);
  return m ? m[1].replace(/\/tasks\/[^/]+/, '/tasks/{id}').replace(/\/datasources\/[^/]+/, '/datasources/{id}') : path;
}

function httpError(operation: string, res: Response<string>): FdiError {
  let body: Partial<FdiErrorBody> & { error?: { message?: string | undefined; code?: unknown } } = {};
  try {
    body = JSON.parse(res.body) as typeof body;
  } catch {
    /* a gateway may answer HTML; keep the status */
  }
  const retryAfter = Number(res.headers['retry-after']);
  const requestId = (res.headers['x-request-id'] as string | undefined) ?? body.request_id;
  return new FdiError({
    kind: 'http',
    operation,
    status: res.statusCode,
    errorCode: typeof body.error_code === 'string' ? body.error_code : undefined,
    errorMsg: typeof body.error_msg === 'string' ? body.error_msg : body.error?.message,
    requestId,
    ...(Number.isFinite(retryAfter) && retryAfter >= 0 ? { retryAfterS: retryAfter } : {}),
  });
}

/** The low-level error is not kept as `cause`: got's errors carry the request options, headers included. */
function toFdiError(operation: string, err: unknown, signal?: AbortSignal): FdiError {
  const code = (err as { code?: string | undefined }).code;
  if (signal?.aborted || (err as Error).name === 'AbortError')
    return new FdiError({ kind: 'aborted', operation, code });
  if (code === 'ETIMEDOUT' || (err as Error).name === 'TimeoutError')
    return new FdiError({ kind: 'timeout', operation, code: 'ETIMEDOUT' });
  return new FdiError({ kind: 'network', operation, code: code ?? 'ENETWORK' });
}
