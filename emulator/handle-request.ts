/**
 * One request from arrival to its count in the stats: the route sends it to the /__emulator control
 * routes, to IAM's token route or to the FDI pipeline; a bug in a handler answers 500.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { ERROR_CODES } from '../lib/fdi/model/api.js';
import { handleAdmin } from './admin.js';
import { iamError } from './auth.js';
import type { EmulatorCore } from './core.js';
import { type Outcome, handleApi } from './handle-api.js';
import { parseJson, readBody, sendError, sendJson } from './http.js';
import { matchRoute } from './router.js';
import { newId } from './state.js';

/** Answers one request and counts it; never rejects for a bug in a handler. */
export async function handleRequest(core: EmulatorCore, req: IncomingMessage, res: ServerResponse): Promise<void> {
  res.setHeader('X-Request-Id', newId());
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const pathname = q < 0 ? url : url.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
  const match = matchRoute(req.method ?? 'GET', pathname);
  if (match.kind === 'admin') return handleAdmin(core, match.action, query, await readBody(req), res);
  let recorded = false;
  // Counted as soon as the answer is written (or dropped), so a client that just got it sees it in stats.
  const record = (status: number | Outcome | 'aborted') => {
    if (recorded) return;
    recorded = true;
    core.stats.outcome(match.label, status);
  };
  res.on('close', () => record(res.headersSent ? res.statusCode : 'aborted'));
  if (match.kind !== 'iam') {
    res.on('close', core.stats.apiArrival(performance.now()));
    core.requestLog.add({ method: req.method ?? 'GET', path: pathname, contentType: req.headers['content-type'] });
  }
  try {
    const outcome =
      match.kind === 'iam' ? await handleIam(core, req, res) : await handleApi(core, match, req, query, res);
    if (outcome) record(outcome);
    else if (res.headersSent) record(res.statusCode);
  } catch {
    // A bug in a handler: answer like the real service's "System error", or drop a half-sent answer.
    if (res.headersSent) res.destroy();
    else sendError(res, 500, ERROR_CODES.systemError, 'System error.');
    record(res.headersSent ? res.statusCode : 'aborted');
  }
}

/** POST /v3/auth/tokens: IAM's behaviour and error shape; no faults, no rate quota. */
async function handleIam(core: EmulatorCore, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const parsed = parseJson(await readBody(req));
  if (!parsed.ok) return sendJson(res, 400, iamError(400, 'The request body is invalid.', 'Bad Request'));
  const issued = core.auth.issue(parsed.value, core.options.tokenTtlSeconds, Date.now());
  if (!issued) return sendJson(res, 401, iamError(401, 'The username or password is wrong.', 'Unauthorized'));
  return sendJson(res, 201, issued.body, { 'X-Subject-Token': issued.token });
}
