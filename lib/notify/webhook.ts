/**
 * Sends the run-end notice to the operator's webhook (docs/NOTIFY.md): one JSON POST, tried again on a
 * network error, a timeout, 408, 429 or 5xx (retry.ts), each attempt under its own timeout and all of
 * them under the notice's overall timeout, which is the most a notice can delay the end of a run. It
 * never throws: a notice that is not delivered is a warning in the log, and the run's outcome stays as
 * it is. Logs name the receiver by scheme and host only; the URL's path and query, the headers' values
 * and the receiver's answers are never logged (a chat tool's refusal message is scrubbed of them).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import got, { type Response } from 'got';
import type { Logger } from '../logger.js';
import { scrub, type Secret } from '../secret.js';
import { noticeBody, type Notifier, type RunNotice } from './notice.js';
import { delivered, MIN_ATTEMPT_MS, retryAfterMs, retryDelay, type AttemptResult } from './retry.js';
import { notifySecrets, type NotifySettings } from './settings.js';

type Outcome =
  | { kind: 'delivered'; attempts: number; status: number }
  | { kind: 'failed'; attempts: number; last: string }
  | { kind: 'timeout'; attempts: number };

/** A notifier posting each notice to `settings.url`; `random` spreads the retries' pauses (tests fix it). */
export function webhookNotifier(
  settings: NotifySettings,
  logger: Logger,
  options: { random?: () => number } = {},
): Notifier {
  const secrets = notifySecrets(settings);
  return async (notice) => {
    const log = logger.child({ run_id: notice.run_id, notify: settings.origin });
    const abort = new AbortController();
    const tries = { count: 0 };
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<Outcome>((resolve) => {
      timer = setTimeout(() => {
        abort.abort();
        resolve({ kind: 'timeout', attempts: tries.count });
      }, settings.timeoutMs);
    });
    try {
      const sent = send(notice, settings, { signal: abort.signal, tries, secrets, log, random: options.random });
      const outcome = await Promise.race([sent, timedOut]);
      report(outcome, settings, log);
    } catch (err) {
      // Only a bug gets here; it still must not end the run.
      log.warn({ error: (err as Error).name }, 'run-end notice not delivered: the sender failed');
    } finally {
      clearTimeout(timer);
      abort.abort();
    }
  };
}

async function send(
  notice: RunNotice,
  settings: NotifySettings,
  ctx: {
    signal: AbortSignal;
    tries: { count: number };
    secrets: Secret[];
    log: Logger;
    random?: (() => number) | undefined;
  },
): Promise<Outcome> {
  const started = Date.now();
  const remaining = () => settings.timeoutMs - (Date.now() - started);
  const body = JSON.stringify(noticeBody(notice, settings.format));
  for (;;) {
    const attempt = ++ctx.tries.count;
    const timeoutMs = Math.max(MIN_ATTEMPT_MS, Math.min(settings.attemptTimeoutMs, remaining()));
    const result = await post(body, settings, timeoutMs, ctx.signal, ctx.secrets);
    if (delivered(result) && 'status' in result) return { kind: 'delivered', attempts: attempt, status: result.status };
    const wait = retryDelay(result, attempt, { attempts: settings.attempts, remainingMs: remaining() }, ctx.random);
    if (wait === undefined) return { kind: 'failed', attempts: attempt, last: describe(result) };
    ctx.log.debug({ attempt, last: describe(result), wait_ms: wait }, 'run-end notice: trying again');
    await sleep(wait, undefined, { signal: ctx.signal });
  }
}

/** One POST; every failure is a value. */
async function post(
  body: string,
  settings: NotifySettings,
  timeoutMs: number,
  signal: AbortSignal,
  secrets: Secret[],
): Promise<AttemptResult> {
  let res: Response<string>;
  try {
    res = await got.post(settings.url.reveal(), {
      body,
      headers: {
        ...Object.fromEntries(settings.headers.map(([name, value]) => [name, value.reveal()])),
        'content-type': 'application/json; charset=utf-8',
        'user-agent': 'fdi-provisioner',
      },
      timeout: { request: timeoutMs },
      retry: { limit: 0 },
      throwHttpErrors: false,
      followRedirect: false,
      signal,
    });
  } catch (err) {
    // got's messages may name the URL: only the error's code leaves this function.
    const code = (err as { code?: unknown }).code;
    return { error: typeof code === 'string' ? code : (err as Error).name };
  }
  const status = res.statusCode;
  const refusal =
    status >= 200 && status < 300 && settings.format !== 'json' ? chatRefusal(res.body, secrets) : undefined;
  if (refusal) return { refused: refusal };
  return { status, retryAfterMs: retryAfterMs(res.headers['retry-after'], Date.now()) };
}

/**
 * Feishu, DingTalk and WeCom answer 200 with an error code in the body when they refuse a message (a
 * bad signature, a missing keyword, a rate limit): `code`/`StatusCode` (Feishu) or `errcode`.
 */
function chatRefusal(text: string, secrets: Secret[]): string | undefined {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null) return undefined;
  const code = body.code ?? body.errcode ?? body.StatusCode;
  if (code === undefined || code === 0 || code === '0') return undefined;
  const msg = body.msg ?? body.errmsg ?? body.StatusMessage;
  // Scrubbed whole, then cut: a secret cut in two would no longer be found.
  const said = `code ${String(code)}${typeof msg === 'string' ? `: ${msg}` : ''}`;
  return scrub(said, secrets).slice(0, 160);
}

function describe(r: AttemptResult): string {
  if ('status' in r) return `HTTP ${r.status}`;
  if ('error' in r) return r.error;
  return `refused (${r.refused})`;
}

function report(outcome: Outcome, settings: NotifySettings, log: Logger): void {
  switch (outcome.kind) {
    case 'delivered':
      log.info({ status: outcome.status, attempts: outcome.attempts }, 'run-end notice delivered');
      return;
    case 'failed':
      log.warn({ attempts: outcome.attempts, last: outcome.last }, `run-end notice not delivered (${outcome.last})`);
      return;
    case 'timeout':
      log.warn(
        { attempts: outcome.attempts, timeout_ms: settings.timeoutMs },
        `run-end notice not delivered within FDI_NOTIFY_TIMEOUT_MS (${settings.timeoutMs} ms)`,
      );
  }
}
