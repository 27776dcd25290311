/**
 * A fault-injecting HTTP proxy between an S3 client and s3rver, on loopback: each request is
 * classified as get / put / head / list / delete and, with a seeded PRNG, answered with a fault instead
 * of (or after) being forwarded. Faults as S3 and OBS give them: `503 SlowDown`, `500 InternalError`,
 * a reset connection (before forwarding, or after s3rver committed), a hang until the client gives up,
 * and `500-after` (forwarded, committed, then answered 500: an ambiguous write). Every request and
 * every fault is counted per operation and kind, so tests can assert that faults really happened.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { mulberry32 } from '../../emulator/index.js';

export const S3_OPERATIONS = ['get', 'put', 'head', 'list', 'delete'] as const;
export type S3Operation = (typeof S3_OPERATIONS)[number];

export const S3_FAULT_KINDS = ['503', '500', 'reset', 'reset-after', 'timeout', '500-after'] as const;
export type S3FaultKind = (typeof S3_FAULT_KINDS)[number];

/** Per operation, the probability of each fault kind (their sum at most 1). */
export type S3FaultRates = Partial<Record<S3Operation, Partial<Record<S3FaultKind, number>>>>;

export interface S3FaultOptions {
  seed?: number;
  rates?: S3FaultRates;
  /** Only keys this predicate accepts get faults (default: every key, and bucket listings). */
  keys?: (key: string) => boolean;
  /**
   * Refuse every PUT that carries `If-None-Match` with this status and a NotImplemented error, as a store
   * without conditional writes may (OBS documents no such header on PUT).
   */
  refuseConditional?: 400 | 501 | undefined;
}

export interface S3FaultProxy {
  /** e.g. http://127.0.0.1:41234: the S3 endpoint the client should use. */
  readonly endpoint: string;
  /** Requests seen, per operation. */
  readonly requests: Record<S3Operation, number>;
  /** Faults injected, per operation and kind. */
  readonly faults: Record<S3Operation, Partial<Record<S3FaultKind, number>>>;
  /** Changes the rates (and the key filter, and reseeds when a seed is given); counters are kept. */
  configure(options: S3FaultOptions): void;
  totalRequests(): number;
  totalFaults(kind?: S3FaultKind): number;
  resetCounters(): void;
  close(): Promise<void>;
}

const SLOW_DOWN =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>';
const NOT_IMPLEMENTED =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NotImplemented</Code><Message>A header you provided implies functionality that is not implemented.</Message></Error>';
const INTERNAL =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>';

/** Path-style: `/bucket` or `/bucket/` is the bucket (a listing on GET), `/bucket/key…` an object. */
export function classify(method: string, url: string): { op: S3Operation | undefined; key: string } {
  const u = new URL(url, 'http://proxy');
  const [, , ...rest] = u.pathname.split('/');
  const key = decodeURIComponent(rest.join('/'));
  if (method === 'GET') return { op: key ? 'get' : 'list', key };
  if (method === 'PUT' && key) return { op: 'put', key };
  if (method === 'HEAD') return { op: 'head', key };
  if (method === 'DELETE' && key) return { op: 'delete', key };
  return { op: undefined, key };
}

function emptyCounts<T>(make: () => T): Record<S3Operation, T> {
  return Object.fromEntries(S3_OPERATIONS.map((o) => [o, make()])) as Record<S3Operation, T>;
}

export async function startS3FaultProxy(target: string, options: S3FaultOptions = {}): Promise<S3FaultProxy> {
  const upstream = new URL(target);
  let random = mulberry32(options.seed ?? 1);
  let rates: S3FaultRates = options.rates ?? {};
  let keys = options.keys ?? (() => true);
  let refuseConditional = options.refuseConditional;
  let requests = emptyCounts(() => 0);
  let faults = emptyCounts<Partial<Record<S3FaultKind, number>>>(() => ({}));
  const sockets = new Set<Socket>();
  const agent = new http.Agent({ keepAlive: true });

  const pick = (op: S3Operation, key: string): S3FaultKind | undefined => {
    const r = random();
    if (!keys(key)) return undefined;
    let acc = 0;
    for (const [kind, rate] of Object.entries(rates[op] ?? {}) as [S3FaultKind, number][]) {
      acc += rate;
      if (r < acc) return kind;
    }
    return undefined;
  };

  const answer = (res: http.ServerResponse, status: number, body: string): void => {
    res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };

  /** Forwards the request to s3rver; calls `done` with its response (status, headers, body). */
  const forward = (
    req: http.IncomingMessage,
    body: Buffer,
    done: (err: Error | undefined, up?: { status: number; headers: http.IncomingHttpHeaders; body: Buffer }) => void,
  ): void => {
    const up = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent,
      },
      (upRes) => {
        const chunks: Buffer[] = [];
        upRes.on('data', (c: Buffer) => chunks.push(c));
        upRes.on('end', () =>
          done(undefined, { status: upRes.statusCode ?? 502, headers: upRes.headers, body: Buffer.concat(chunks) }),
        );
        upRes.on('error', (err) => done(err));
      },
    );
    up.on('error', (err) => done(err));
    up.end(body);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const { op, key } = classify(req.method ?? 'GET', req.url ?? '/');
      if (op) requests[op] += 1;
      const fault = op ? pick(op, key) : undefined;
      if (op && fault) faults[op][fault] = (faults[op][fault] ?? 0) + 1;
      if (refuseConditional && req.method === 'PUT' && req.headers['if-none-match'] !== undefined)
        return answer(res, refuseConditional, NOT_IMPLEMENTED);
      if (fault === '503') return answer(res, 503, SLOW_DOWN);
      if (fault === '500') return answer(res, 500, INTERNAL);
      if (fault === 'reset') return void req.socket.destroy();
      if (fault === 'timeout') return; // the client gives up and closes the socket
      forward(req, body, (err, up) => {
        if (err || !up) return void req.socket.destroy();
        if (fault === 'reset-after') return void req.socket.destroy();
        if (fault === '500-after') return answer(res, 500, INTERNAL);
        const headers = { ...up.headers };
        delete headers['transfer-encoding'];
        delete headers.connection;
        // A HEAD answer keeps s3rver's content-length (the object's size); any other has its body's.
        if (req.method !== 'HEAD') headers['content-length'] = String(up.body.length);
        res.writeHead(up.status, headers);
        res.end(req.method === 'HEAD' ? undefined : up.body);
      });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    get requests() {
      return requests;
    },
    get faults() {
      return faults;
    },
    configure(o) {
      if (o.seed !== undefined) random = mulberry32(o.seed);
      if (o.rates) rates = o.rates;
      keys = o.keys ?? (() => true);
      refuseConditional = o.refuseConditional;
    },
    totalRequests: () => Object.values(requests).reduce((a, b) => a + b, 0),
    totalFaults: (kind) =>
      Object.values(faults).reduce(
        (a, byKind) =>
          a + Object.entries(byKind).reduce((b, [k, n]) => b + (kind === undefined || k === kind ? n : 0), 0),
        0,
      ),
    resetCounters() {
      requests = emptyCounts(() => 0);
      faults = emptyCounts(() => ({}));
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        agent.destroy();
        server.close(() => resolve());
      }),
  };
}
