/**
 * Huawei Cloud AK/SK `SDK-HMAC-SHA256` request signing (docs/FDI-API.md §8), shared by the client (sign)
 * and the emulator (verify). Pure: no I/O, no clock unless given one.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const SIGN_ALGORITHM = 'SDK-HMAC-SHA256';
export const SDK_DATE_HEADER = 'x-sdk-date';
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** The parts of an HTTP request that take part in the signature. */
export interface SignableRequest {
  method: string;
  /** Path with an optional `?query`, e.g. `/v2/p/fdi/instances/i/tasks?limit=1`. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** The exact body bytes sent (empty when none). */
  body?: string | Uint8Array | undefined;
}

/** Percent-encodes everything but `A–Z a–z 0–9 - _ . ~`, uppercase hex (space → `%20`). */
export function sdkEscape(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The canonical URI: each segment escaped, with a trailing `/`. */
export function canonicalUri(path: string): string {
  const joined = path
    .split('/')
    .map((s) => sdkEscape(safeDecode(s)))
    .join('/');
  return joined.endsWith('/') ? joined : `${joined}/`;
}

/** The canonical query: keys sorted, each key's values sorted, `enc(k)=enc(v)` joined with `&`. */
export function canonicalQuery(query: string | Record<string, string | string[]>): string {
  const params = new Map<string, string[]>();
  if (typeof query === 'string') {
    for (const [k, v] of new URLSearchParams(query)) params.set(k, [...(params.get(k) ?? []), v]);
  } else {
    for (const [k, v] of Object.entries(query)) params.set(k, Array.isArray(v) ? [...v] : [v]);
  }
  const keys = [...params.keys()].sort(compareCodeUnits);
  return keys
    .flatMap((k) =>
      params
        .get(k)!
        .sort(compareCodeUnits)
        .map((v) => `${sdkEscape(k)}=${sdkEscape(v)}`),
    )
    .join('&');
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function headerValue(headers: SignableRequest['headers'], name: string): string | undefined {
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === name) return Array.isArray(v) ? v.join(',') : v;
  }
  return undefined;
}

/** Headers the Go SDK signs: all but content-type and names with `_`, lowercased and sorted. */
export function defaultSignedHeaders(headers: SignableRequest['headers']): string[] {
  const names = Object.entries(headers)
    .filter(([, v]) => v !== undefined)
    .map(([k]) => k.toLowerCase())
    .filter((h) => !h.startsWith('content-type') && !h.includes('_'));
  return [...new Set(names)].sort();
}

function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Builds the canonical request string of step 1. */
export function canonicalRequest(req: SignableRequest, signedHeaders: string[]): string {
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  const query = q < 0 ? '' : req.url.slice(q + 1);
  const canonicalHeaders = signedHeaders.map((h) => `${h}:${(headerValue(req.headers, h) ?? '').trim()}\n`).join('');
  const contentSha = headerValue(req.headers, 'x-sdk-content-sha256');
  const body = req.body ?? '';
  const bodyHash = contentSha ?? (body.length === 0 ? EMPTY_SHA256 : sha256Hex(body));
  return [
    req.method.toUpperCase(),
    canonicalUri(path),
    canonicalQuery(query),
    canonicalHeaders,
    signedHeaders.join(';'),
    bodyHash,
  ].join('\n');
}

/** Computes the hex signature of a request for the given secret key and signed header list. */
export function computeSignature(req: SignableRequest, secretKey: string, signedHeaders: string[]): string {
  const date = headerValue(req.headers, SDK_DATE_HEADER) ?? '';
  const stringToSign = [SIGN_ALGORITHM, date, sha256Hex(canonicalRequest(req, signedHeaders))].join('\n');
  return createHmac('sha256', Buffer.from(secretKey, 'utf8')).update(stringToSign).digest('hex');
}

/** Formats a `Date` as `YYYYMMDDTHHMMSSZ`. */
export function formatSdkDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** Parses `YYYYMMDDTHHMMSSZ`; undefined when malformed. */
export function parseSdkDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export interface Credentials {
  accessKey: string;
  secretKey: string;
  securityToken?: string | undefined;
}

/**
 * Signs a request: returns the headers to add (`X-Sdk-Date`, `Authorization`, and `X-Security-Token`
 * for temporary credentials). The request's own headers are signed as the Go SDK does.
 */
export function signRequest(req: SignableRequest, creds: Credentials, now: Date = new Date()): Record<string, string> {
  const added: Record<string, string> = { 'X-Sdk-Date': formatSdkDate(now) };
  if (creds.securityToken) added['X-Security-Token'] = creds.securityToken;
  const headers = { ...req.headers, ...added };
  const signed = defaultSignedHeaders(headers);
  const signature = computeSignature({ ...req, headers }, creds.secretKey, signed);
  added.Authorization = `${SIGN_ALGORITHM} Access=${creds.accessKey}, SignedHeaders=${signed.join(';')}, Signature=${signature}`;
  return added;
}

export interface ParsedAuthorization {
  accessKey: string;
  signedHeaders: string[];
  signature: string;
}

/** Parses an `Authorization: SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…` header. */
export function parseAuthorization(value: string | undefined): ParsedAuthorization | undefined {
  if (!value?.startsWith(`${SIGN_ALGORITHM} `)) return undefined;
  const fields = new Map<string, string>();
  for (const part of value.slice(SIGN_ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const accessKey = fields.get('Access');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!accessKey || !signedHeaders || !signature) return undefined;
  return { accessKey, signedHeaders: signedHeaders.split(';'), signature };
}

export type VerifyResult = { ok: true; accessKey: string } | { ok: false; reason: string };

/**
 * Verifies a signed request against the secret key of its access key, using the header list the client
 * declared in `SignedHeaders`. `X-Sdk-Date` must lie within `maxSkewMs` (15 minutes) of `now`.
 */
export function verifySignature(
  req: SignableRequest,
  secretFor: (accessKey: string) => string | undefined,
  now: Date = new Date(),
  maxSkewMs = 15 * 60_000,
): VerifyResult {
  const auth = parseAuthorization(headerValue(req.headers, 'authorization'));
  if (!auth) return { ok: false, reason: 'verify aksk signature fail' };
  const secret = secretFor(auth.accessKey);
  if (secret === undefined) return { ok: false, reason: 'verify aksk signature fail' };
  const date = parseSdkDate(headerValue(req.headers, SDK_DATE_HEADER) ?? '');
  if (!date || Math.abs(now.getTime() - date.getTime()) > maxSkewMs) {
    return { ok: false, reason: 'calc ak sk signature fail: signature expired' };
  }
  const expected = Buffer.from(computeSignature(req, secret, auth.signedHeaders));
  const given = Buffer.from(auth.signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { ok: false, reason: 'verify aksk signature fail' };
  }
  return { ok: true, accessKey: auth.accessKey };
}
