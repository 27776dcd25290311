/**
 * A tiny HTTP client for the emulator tests: node:http with a fresh connection per request (no
 * keep-alive), so resets and hangs hit exactly one request.
 */
import { type IncomingHttpHeaders, request } from 'node:http';

export const TOKEN = 'local-token';
export const BASE = '/v2/local-project/fdi/instances/local-instance';
/** IDs of the default data sources. */
export const DS = {
  example: '30969b205e8f4392a25fb321112d1753',
  crmApi: '6f1c2a0e9b8d4c3ea1f2b3c4d5e6f7a8',
  crmApiV2: '0d7e4b1a2c3f4e5d8a9b0c1d2e3f4a5b',
} as const;

export interface Res {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read answers of any shape
  json: any;
}

export interface CallOptions {
  headers?: Record<string, string>;
  /** A string or Buffer is sent as is; anything else as JSON. */
  body?: unknown;
  /** Adds X-Auth-Token: local-token unless false. */
  auth?: boolean;
  timeoutMs?: number;
}

/** Sends one request; rejects on a network error (reset, timeout, socket closed). */
export function call(url: string, method: string, path: string, options: CallOptions = {}): Promise<Res> {
  const body =
    options.body === undefined
      ? undefined
      : typeof options.body === 'string' || Buffer.isBuffer(options.body)
        ? options.body
        : JSON.stringify(options.body);
  const headers: Record<string, string> = {
    ...(options.auth === false ? {} : { 'X-Auth-Token': TOKEN }),
    ...options.headers,
  };
  if (body !== undefined) headers['Content-Type'] ??= 'application/json;charset=UTF-8';
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    if (options.timeoutMs)
      req.setTimeout(options.timeoutMs, () =>
        req.destroy(Object.assign(new Error('client timeout'), { code: 'CLIENT_TIMEOUT' })),
      );
    req.end(body);
  });
}

/** The outcome of a request as a short string: the status, or the network error code. */
export async function outcome(url: string, method: string, path: string, options: CallOptions = {}): Promise<string> {
  try {
    return String((await call(url, method, path, options)).status);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? 'error';
  }
}

/** A valid create body; `task` fields override. */
export function taskBody(
  name: string,
  task: Record<string, unknown> = {},
  detail = '{"targetSelectedDatasource":{"targetTable":"T"}}',
) {
  return {
    task: {
      task_name: name,
      task_type: 'TIMING',
      source_datasource_id: DS.crmApi,
      target_datasource_id: DS.example,
      ...task,
    },
    task_detail: detail,
  };
}

/** Creates a task and returns its ID (asserting success by throwing otherwise). */
export async function createTask(url: string, name: string, task: Record<string, unknown> = {}): Promise<string> {
  const res = await call(url, 'POST', `${BASE}/tasks`, { body: taskBody(name, task) });
  if (res.status !== 200) throw new Error(`create ${name}: ${res.status} ${res.text}`);
  return res.json.task.task_id as string;
}
