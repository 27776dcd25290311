/**
 * The FDI client on one configured `got` instance. Each method is one HTTP attempt (retries and
 * ambiguity handling belong to the engine), except that a 401 refreshes credentials once and repeats.
 * Every attempt passes through the caller's gate (concurrency cap + rate limiter) and reports what
 * happened to an observer. Errors are `FdiError` values without any credential in them.
 */
import http from 'node:http';
import https from 'node:https';
import got, { type Got, type Response } from 'got';
import type { Target } from '../../types.js';
import type { Authenticator } from './auth.js';
import { FdiError } from './fdi-error.js';
import {
  MAX_BATCH_IDS,
  MAX_PAGE_LIMIT,
  paths,
  type BatchOperationResponse,
  type BriefTask,
  type CreateTaskRequest,
  type DataSource,
  type FdiErrorBody,
  type ListTasksQuery,
  type Page,
  type TaskDispatch,
  type TaskDispatchRsp,
  type TaskResponse,
} from '../model/api.js';

/** Runs one HTTP attempt when the scheduler allows it (concurrency slot and rate token). */
export interface RequestGate {
  run<T>(attempt: () => Promise<T>, signal?: AbortSignal): Promise<T>;
}

/** What the client tells its observer after each attempt. */
export interface AttemptEvent {
  operation: string;
  status?: number | undefined;
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

const openGate: RequestGate = { run: (attempt) => attempt() };

type Query = Record<string, string | number | undefined>;

/** Creates the client. Cheap; build one per run (or per cold start) and share it. */
export function createFdiClient(options: FdiClientOptions) {
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

  async function attempt(
    method: string,
    path: string,
    query: Query | undefined,
    body: unknown,
    signal?: AbortSignal,
  ): Promise<Response<string>> {
    const operation = `${method} ${routeOf(path)}`;
    const search = encodeQuery(query);
    const bodyText = body === undefined ? '' : JSON.stringify(body);
    const baseHeaders: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) baseHeaders['Content-Type'] = 'application/json;charset=UTF-8';
    const started = performance.now();
    try {
      const authHeaders = await options.auth.headers(
        { method, url: path + (search ? `?${search}` : ''), headers: baseHeaders, body: bodyText },
        signal,
      );
      const res = await http$(path.slice(1), {
        method: method as 'GET',
        searchParams: search || undefined,
        headers: { ...baseHeaders, ...authHeaders },
        body: body === undefined ? undefined : bodyText,
        signal,
      });
      options.observe?.({ operation, status: res.statusCode, durationMs: performance.now() - started });
      return res;
    } catch (err) {
      const error = err instanceof FdiError ? err : toFdiError(operation, err, signal);
      options.observe?.({ operation, error, durationMs: performance.now() - started });
      throw error;
    }
  }

  /** One call: gated attempt, one credential refresh on 401, typed error on any non-2xx. */
  async function call<T>(
    method: string,
    path: string,
    opts: {
      query?: Query | undefined;
      body?: unknown;
      signal?: AbortSignal | undefined;
      empty?: boolean | undefined;
    } = {},
  ): Promise<T> {
    const operation = `${method} ${routeOf(path)}`;
    let res = await gate.run(() => attempt(method, path, opts.query, opts.body, opts.signal), opts.signal);
    if (res.statusCode === 401 && (await options.auth.refresh(opts.signal))) {
      res = await gate.run(() => attempt(method, path, opts.query, opts.body, opts.signal), opts.signal);
    }
    if (res.statusCode >= 200 && res.statusCode < 300) {
      if (opts.empty || res.body === '') return undefined as T;
      try {
        return JSON.parse(res.body) as T;
      } catch (err) {
        throw new FdiError(
          {
            kind: 'http',
            operation,
            status: res.statusCode,
            errorCode: 'CLIENT.BAD_JSON',
            errorMsg: 'the response body is not JSON',
          },
          { cause: err },
        );
      }
    }
    throw httpError(operation, res);
  }

  return {
    createTask: (t: Target, body: CreateTaskRequest, signal?: AbortSignal) =>
      call<TaskResponse>('POST', paths.tasks(t.project_id, t.instance_id), { body, signal }),
    updateTask: (t: Target, taskId: string, body: CreateTaskRequest, signal?: AbortSignal) =>
      call<TaskResponse>('PUT', paths.task(t.project_id, t.instance_id, taskId), { body, signal }),
    showTask: (t: Target, taskId: string, signal?: AbortSignal) =>
      call<TaskResponse>('GET', paths.task(t.project_id, t.instance_id, taskId), { signal }),
    deleteTask: (t: Target, taskId: string, signal?: AbortSignal) =>
      call<void>('DELETE', paths.task(t.project_id, t.instance_id, taskId), { signal, empty: true }),
    listTasks: (t: Target, query: ListTasksQuery = {}, signal?: AbortSignal) =>
      call<Page<BriefTask>>('GET', paths.tasks(t.project_id, t.instance_id), { query: query as Query, signal }),
    /** One batch start/stop call (at most 10 IDs; `batchOperateAll` chunks more). */
    batchOperate: (t: Target, action: 'start' | 'stop', taskIds: string[], signal?: AbortSignal) => {
      if (taskIds.length > MAX_BATCH_IDS) throw new RangeError(`batch start/stop takes at most ${MAX_BATCH_IDS} IDs`);
      return call<BatchOperationResponse>('POST', paths.batch(t.project_id, t.instance_id), {
        body: { action_id: action, list: taskIds.map((task_id) => ({ task_id })) },
        signal,
      });
    },
    createDispatch: (t: Target, taskId: string, dispatch: TaskDispatch, signal?: AbortSignal) =>
      call<TaskDispatchRsp>('POST', paths.dispatches(t.project_id, t.instance_id, taskId), { body: dispatch, signal }),
    showDispatch: (t: Target, taskId: string, signal?: AbortSignal) =>
      call<TaskDispatchRsp>('GET', paths.dispatches(t.project_id, t.instance_id, taskId), { signal }),
    updateDispatch: (t: Target, taskId: string, dispatchId: string, dispatch: TaskDispatch, signal?: AbortSignal) =>
      call<TaskDispatchRsp>(
        'PUT',
        `${paths.dispatches(t.project_id, t.instance_id, taskId)}/${encodeURIComponent(dispatchId)}`,
        { body: dispatch, signal },
      ),
    listDatasources: (
      t: Target,
      query: { offset?: number | undefined; limit?: number | undefined; name?: string | undefined } = {},
      signal?: AbortSignal,
    ) => call<Page<DataSource>>('GET', paths.datasources(t.project_id, t.instance_id), { query, signal }),
  };
}

export type FdiClient = ReturnType<typeof createFdiClient>;

/** Starts or stops any number of tasks in calls of at most 10 IDs, merging the per-task outcomes. */
export async function batchOperateAll(
  client: FdiClient,
  t: Target,
  action: 'start' | 'stop',
  taskIds: string[],
  signal?: AbortSignal,
): Promise<BatchOperationResponse> {
  const merged: BatchOperationResponse = { success_count: 0, failure_count: 0, success: [], failure: [] };
  for (let i = 0; i < taskIds.length; i += MAX_BATCH_IDS) {
    const res = await client.batchOperate(t, action, taskIds.slice(i, i + MAX_BATCH_IDS), signal);
    merged.success_count += res.success_count;
    merged.failure_count += res.failure_count;
    merged.success.push(...(res.success ?? []));
    merged.failure.push(...(res.failure ?? []));
  }
  return merged;
}

/** Reads every page of a paged listing (offset/limit), stopping at `total` or an empty page. */
export async function* allPages<T>(
  fetchPage: (offset: number, limit: number) => Promise<Page<T>>,
  limit = MAX_PAGE_LIMIT,
): AsyncGenerator<T> {
  let offset = 0;
  for (;;) {
    const page = await fetchPage(offset, limit);
    yield* page.entities;
    offset += page.entities.length;
    if (page.entities.length === 0 || offset >= page.total) return;
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
