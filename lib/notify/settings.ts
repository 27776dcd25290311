/**
 * The run-end notice's settings from the environment (docs/NOTIFY.md). Pure: the configuration
 * (lib/config.ts) calls it with the environment and collects its problems with the others.
 *
 * The URL and the header values are secrets: chat tools put their credential in the URL itself
 * (Slack's `/services/T…/B…/…`, DingTalk's `access_token`, WeCom's `key`), and a header carries a
 * token. Both are held as `Secret`s; a message names a setting and at most the URL's scheme and host,
 * never a value. They come only from the operator's environment, never from a manifest.
 */
import { Secret } from '../secret.js';

/** What the notice's body looks like: ours (with `text`, for Slack and Mattermost) or a chat tool's own. */
export const NOTIFY_FORMATS = ['json', 'feishu', 'dingtalk', 'wecom'] as const;
export type NotifyFormat = (typeof NOTIFY_FORMATS)[number];

/** Defaults and bounds of the notice's timing, in ms, and of its attempts. */
export const NOTIFY_BOUNDS = {
  attempts: { min: 1, max: 10, default: 4 },
  attemptTimeoutMs: { min: 100, max: 60_000, default: 5_000 },
  timeoutMs: { min: 100, max: 120_000, default: 15_000 },
} as const;

/** The webhook that hears of every run's end. */
export interface NotifySettings {
  /** The whole URL: it may hold the receiver's credential. */
  url: Secret;
  /** `scheme://host[:port]`: all a log line or message may show of the URL. */
  origin: string;
  /** Extra request headers (FDI_NOTIFY_HEADERS), their values secret. */
  headers: ReadonlyArray<readonly [name: string, value: Secret]>;
  format: NotifyFormat;
  /** Attempts at most (the first and its retries). */
  attempts: number;
  /** How long one attempt may take. */
  attemptTimeoutMs: number;
  /** How long the notice may take in all, retries and their pauses included: the most it delays a run's end. */
  timeoutMs: number;
}

type Env = Record<string, string | undefined>;

/** Headers the sender sets itself, or that would change how the request is framed. */
const RESERVED_HEADERS = new Set([
  'host',
  'content-type',
  'content-length',
  'transfer-encoding',
  'connection',
  'user-agent',
]);
/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** The notice's settings, or undefined when FDI_NOTIFY_URL is not set; each problem is added to `problems`. */
export function notifyFrom(env: Env, problems: string[]): NotifySettings | undefined {
  const raw = trimmed(env.FDI_NOTIFY_URL);
  const headers = headersFrom(trimmed(env.FDI_NOTIFY_HEADERS), problems);
  if (raw === undefined) {
    if (headers.length) problems.push('FDI_NOTIFY_HEADERS is set but FDI_NOTIFY_URL is not: set the URL too');
    return undefined;
  }
  const origin = checkedOrigin(raw, problems);
  const format = trimmed(env.FDI_NOTIFY_FORMAT)?.toLowerCase() ?? 'json';
  if (!(NOTIFY_FORMATS as readonly string[]).includes(format))
    problems.push(`FDI_NOTIFY_FORMAT must be one of ${NOTIFY_FORMATS.join(', ')} (got ${JSON.stringify(format)})`);
  const settings: NotifySettings = {
    url: new Secret(raw),
    origin: origin ?? '',
    headers,
    format: format as NotifyFormat,
    attempts: bounded(env, 'FDI_NOTIFY_ATTEMPTS', 'attempts', problems),
    attemptTimeoutMs: bounded(env, 'FDI_NOTIFY_ATTEMPT_TIMEOUT_MS', 'attemptTimeoutMs', problems),
    timeoutMs: bounded(env, 'FDI_NOTIFY_TIMEOUT_MS', 'timeoutMs', problems),
  };
  return settings;
}

/**
 * The secrets of the notice's settings, for scrubbing text: the URL, the parts of it that carry a
 * credential on their own (query values, long path segments, user and password: a receiver may quote
 * them back), and the header values.
 */
export function notifySecrets(settings: NotifySettings | undefined): Secret[] {
  if (!settings) return [];
  return [settings.url, ...urlParts(settings.url.reveal()), ...settings.headers.map(([, v]) => v)];
}

/** Query values of 8 characters or more, path segments of 16 or more, the user and the password. */
function urlParts(raw: string): Secret[] {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return [];
  }
  const parts = [
    ...[...url.searchParams.values()].filter((v) => v.length >= 8),
    ...url.pathname.split('/').filter((p) => p.length >= 16),
    url.username,
    url.password,
  ];
  return [...new Set(parts.filter((p) => p !== ''))].map((p) => new Secret(p));
}

/**
 * The URL's origin when it may be called: https anywhere, http only to this machine (a loopback
 * receiver or relay), since the notice and its headers would otherwise cross the network in clear.
 */
function checkedOrigin(raw: string, problems: string[]): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // Not even the text: it may hold a token.
    problems.push('FDI_NOTIFY_URL is not a URL: give an https:// URL such as https://hooks.example.com/…');
    return undefined;
  }
  const origin = `${url.protocol}//${url.host}`;
  if (url.protocol === 'https:') return origin;
  if (url.protocol === 'http:' && isLoopback(url.hostname)) return origin;
  problems.push(
    url.protocol === 'http:'
      ? `FDI_NOTIFY_URL must use https (http only to a loopback address such as 127.0.0.1; got http to ${url.hostname})`
      : `FDI_NOTIFY_URL must be an https:// URL (got the scheme ${JSON.stringify(url.protocol)})`,
  );
  return undefined;
}

/**
 * localhost, 127.0.0.0/8 and ::1, as a URL's hostname spells them. Not `*.localhost`: node resolves
 * such a name through DNS, which may answer any address.
 */
export function isLoopback(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return h === 'localhost' || h === '[::1]' || /^127(\.\d{1,3}){3}$/.test(h);
}

/** FDI_NOTIFY_HEADERS: a JSON object of header names to string values. No value is ever quoted in a problem. */
function headersFrom(raw: string | undefined, problems: string[]): NotifySettings['headers'] {
  if (raw === undefined) return [];
  const form = 'a JSON object of header names to string values, e.g. {"Authorization": "Bearer …"}';
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    // JSON.parse's message quotes the text, which holds the secret: say only that it does not parse.
    problems.push(`FDI_NOTIFY_HEADERS must be ${form} (it does not parse as JSON)`);
    return [];
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    problems.push(`FDI_NOTIFY_HEADERS must be ${form}`);
    return [];
  }
  const out: Array<readonly [string, Secret]> = [];
  for (const [position, [name, value]] of Object.entries(parsed).entries()) {
    // A name that is not a header name may be a whole "Name: value" line, token included: never shown.
    if (!HEADER_NAME.test(name)) {
      problems.push(
        `FDI_NOTIFY_HEADERS: entry ${position + 1} has a key that is not a header name (a name such as "Authorization", the value apart)`,
      );
      continue;
    }
    const shown = JSON.stringify(name.slice(0, 64));
    if (RESERVED_HEADERS.has(name.toLowerCase()))
      problems.push(`FDI_NOTIFY_HEADERS: ${shown} is set by the notice itself and cannot be given`);
    else if (typeof value !== 'string') problems.push(`FDI_NOTIFY_HEADERS: the value of ${shown} must be a string`);
    else if (/[\r\n\0]/.test(value)) problems.push(`FDI_NOTIFY_HEADERS: the value of ${shown} holds a line break`);
    else out.push([name, new Secret(value)]);
  }
  return out;
}

function bounded(env: Env, name: string, key: keyof typeof NOTIFY_BOUNDS, problems: string[]): number {
  const b = NOTIFY_BOUNDS[key];
  const raw = trimmed(env[name]);
  if (raw === undefined) return b.default;
  const n = Number(raw);
  if (Number.isInteger(n) && n >= b.min && n <= b.max) return n;
  problems.push(`${name} must be a whole number from ${b.min} to ${b.max} (got ${JSON.stringify(raw)})`);
  return b.default;
}

function trimmed(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}
