/**
 * The pipeline of one FDI API request: arrival (latency, fault and rate quota decided) → body →
 * latency → rate quota → injected fault → auth → project/instance → the route's handler → the answer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { ERROR_CODES } from '../lib/fdi/model/api.js';
import type { ApiContext, Reply } from './api.js';
import type { EmulatorCore } from './core.js';
import { FAULT_ANSWERS, sendThrottled, sendUnknownInstance, sendUnknownRoute } from './gateway.js';
import { BodyTooLargeError, parseJson, readBody, sendEmpty, sendError, sendJson } from './http.js';
import type { FaultKind } from './options.js';
import type { Match } from './router.js';
import type { StatsCollector } from './stats.js';

/** How a request ends without an answer: its connection reset, or held until the socket is destroyed. */
export type Outcome = 'reset' | 'hang';

/** An FDI API request or an unknown route; returns 'reset' or 'hang' when the request gets no answer. */
export async function handleApi(
  core: EmulatorCore,
  match: Exclude<Match, { kind: 'admin' | 'iam' }>,
  req: IncomingMessage,
  query: URLSearchParams,
  res: ServerResponse,
): Promise<Outcome | void> {
  if (match.kind === 'unknown') return sendUnknownRoute(res);
  const { decision, allowed } = core.arrive();
  let body: Buffer;
  try {
    body = await readBody(req);
  } catch (err) {
    if (err instanceof BodyTooLargeError)
      return sendError(res, 413, ERROR_CODES.badRequest, 'Request entity too large.');
    throw err;
  }
  if (match.label === 'POST /tasks') countAttempt(core.stats, body);
  await core.waits.wait(decision.delayMs);
  // A client that gave up meanwhile does not stop the work (a real backend carries on too, which
  // is what makes a timeout ambiguous); only closing the emulator does.
  if (core.waits.closed) return;
  if (!allowed) return sendThrottled(res, core.options);
  // '500-after-commit' is the one fault that lets the request through: it is applied to the answer.
  const fault = decision.fault === '500-after-commit' ? undefined : decision.fault;
  if (fault) return injectFault(core, fault, req, res);
  return answerApi(core, match, req, query, body, res, decision.fault === '500-after-commit');
}

function countAttempt(stats: StatsCollector, body: Buffer): void {
  const parsed = parseJson(body);
  const name = parsed.ok ? (parsed.value as { task?: { task_name?: unknown } } | null)?.task?.task_name : undefined;
  if (typeof name === 'string') stats.createAttempt(name);
}

/** Applies a fault that happens before any processing; returns the outcome when there is no answer. */
function injectFault(
  core: EmulatorCore,
  fault: FaultKind,
  req: IncomingMessage,
  res: ServerResponse,
): Outcome | undefined {
  core.stats.fault(fault);
  const socket = req.socket as Socket & { resetAndDestroy?: () => void };
  if (fault === 'reset') {
    // A TCP RST where the platform allows it, like a dropped connection.
    if (socket.resetAndDestroy) socket.resetAndDestroy();
    else socket.destroy();
    return 'reset';
  }
  if (fault === 'hang') {
    void core.waits.wait(core.options.hangMs).then(() => socket.destroy());
    return 'hang';
  }
  if (fault === '429') {
    sendThrottled(res, core.options);
    return undefined;
  }
  const answer = FAULT_ANSWERS[fault]!;
  sendError(res, answer.status, answer.code, answer.message);
  return undefined;
}

/** Authenticates, checks the project and instance, runs the route's handler and answers. */
function answerApi(
  core: EmulatorCore,
  match: Extract<Match, { kind: 'api' }>,
  req: IncomingMessage,
  query: URLSearchParams,
  body: Buffer,
  res: ServerResponse,
  failAfterCommit: boolean,
): void {
  const auth = core.auth.authenticate(
    { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body },
    Date.now(),
  );
  if (!auth.ok) return sendError(res, auth.status, auth.code, auth.message);
  const { projects, instances, maxTasks, detailForm, noDispatch } = core.options;
  const { executionMs, executionFailShare, executionSeed, runOnStart } = core.options;
  if (!projects.includes(match.project)) return sendUnknownInstance(res, 'project', match.project);
  if (!instances.includes(match.instance)) return sendUnknownInstance(res, 'instance', match.instance);
  const ctx: ApiContext = {
    project: match.project,
    instance: match.instance,
    params: match.params,
    query,
    body,
    store: core.store,
    datasources: core.datasources,
    stats: core.stats,
    maxTasks,
    detailForm,
    noDispatch,
    executions: core.executions,
    execution: { executionMs, executionFailShare, executionSeed, runOnStart },
    now: Date.now(),
  };
  const reply: Reply = match.handler(ctx);
  if (failAfterCommit && match.commits && reply.committed) {
    // The operation went through; the client only learns of a 500.
    core.stats.fault('500-after-commit');
    const answer = FAULT_ANSWERS['500-after-commit']!;
    return sendError(res, answer.status, answer.code, answer.message);
  }
  return sendReply(res, reply);
}

/** A handler's Reply as HTTP: empty, an error body, or JSON. */
function sendReply(res: ServerResponse, reply: Reply): void {
  if (reply.body === undefined) return sendEmpty(res, reply.status);
  const b = reply.body as { error_code?: string; error_msg?: string };
  if (b.error_code !== undefined) return sendError(res, reply.status, b.error_code, b.error_msg ?? '');
  return sendJson(res, reply.status, reply.body);
}
