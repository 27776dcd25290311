/**
 * The /__emulator control routes (no auth, no faults, not counted in stats):
 * GET stats, POST reset, GET|POST config, GET|POST tasks, GET executions, GET requests, POST expire-tokens.
 */
import type { ServerResponse } from 'node:http';
import { parseJson, sendEmpty, sendError, sendJson } from './http.js';
import { EmulatorConfigError } from './options.js';
import type { EmulatorCore } from './core.js';
import { executionViews } from './executions.js';
import { seedTask } from './seed.js';

const ADMIN_ERROR = 'EMULATOR.0001';

/** Answers a control route; `action` is "METHOD name", e.g. "GET stats". */
export function handleAdmin(
  core: EmulatorCore,
  action: string,
  query: URLSearchParams,
  body: Buffer,
  res: ServerResponse,
): void {
  switch (action) {
    case 'GET stats':
      return sendJson(res, 200, core.snapshot());
    case 'POST reset':
      core.reset();
      return sendEmpty(res, 204);
    case 'GET config':
      return sendJson(res, 200, core.runtimeSettings());
    case 'POST config':
      return configure(core, body, res);
    case 'GET tasks':
      return sendJson(
        res,
        200,
        core.store.snapshot(query.get('project') ?? undefined, query.get('instance') ?? undefined),
      );
    case 'POST tasks':
      return seed(core, body, res);
    case 'GET executions':
      return sendJson(
        res,
        200,
        executionViews(
          core.executions,
          Date.now(),
          query.get('project') ?? undefined,
          query.get('instance') ?? undefined,
        ),
      );
    case 'GET requests':
      return sendJson(res, 200, core.requestLog.list());
    case 'POST expire-tokens':
      core.auth.expireAll(Date.now());
      return sendEmpty(res, 204);
    default:
      return sendError(
        res,
        404,
        'APIGW.0101',
        `No emulator control route ${action}; try GET stats, POST reset, GET|POST config, GET|POST tasks, GET executions, GET requests, POST expire-tokens.`,
      );
  }
}

function configure(core: EmulatorCore, body: Buffer, res: ServerResponse): void {
  const parsed = parseJson(body);
  if (!parsed.ok || typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value)) {
    return sendError(
      res,
      400,
      ADMIN_ERROR,
      'the body must be a JSON object such as {"faults":{"500":0.1},"rateQuota":20}',
    );
  }
  try {
    core.configure(parsed.value);
  } catch (err) {
    if (err instanceof EmulatorConfigError) return sendError(res, 400, ADMIN_ERROR, err.message);
    throw err;
  }
  return sendJson(res, 200, core.runtimeSettings());
}

/** POST tasks: seedTask with the JSON body; 200 with the stored task, 400 naming every problem. */
function seed(core: EmulatorCore, body: Buffer, res: ServerResponse): void {
  const parsed = parseJson(body);
  if (!parsed.ok)
    return sendError(res, 400, ADMIN_ERROR, 'the body must be a JSON object such as {"task_name":"cdc-1"}');
  try {
    return sendJson(res, 200, seedTask(core, parsed.value));
  } catch (err) {
    if (err instanceof EmulatorConfigError) return sendError(res, 400, ADMIN_ERROR, err.message);
    throw err;
  }
}
