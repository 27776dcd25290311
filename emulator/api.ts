/**
 * What an FDI route handler gets and gives back. Handlers return a Reply (data), so the server can
 * apply the '500-after-commit' fault after a handler has committed.
 */
import type { DataSource } from '../lib/fdi/model/api.js';
import { ERROR_CODES, MAX_PAGE_LIMIT } from '../lib/fdi/model/api.js';
import type { ExecutionSettings, ExecutionStore } from './executions.js';
import type { DetailForm, NoDispatchForm } from './options.js';
import type { TaskStore } from './state.js';
import type { StatsCollector } from './stats.js';

export interface Reply {
  status: number;
  /** JSON body; none for 204. Error bodies have error_code and error_msg (request_id is added later). */
  body?: unknown;
  /** True when the handler changed stored state (a create or an update went through). */
  committed?: boolean;
}

export interface ApiContext {
  project: string;
  instance: string;
  /** Path parameters after the instance, e.g. [taskId] or [taskId, dispatchId]. */
  params: string[];
  query: URLSearchParams;
  body: Buffer;
  store: TaskStore;
  datasources: ReadonlyMap<string, DataSource>;
  stats: StatsCollector;
  maxTasks: number;
  /** The form of task_detail in answers (runtime setting detailForm). */
  detailForm: DetailForm;
  /** ShowDispatches of a task without a schedule (runtime setting noDispatch). */
  noDispatch: NoDispatchForm;
  /** The simulated executions of the tasks. */
  executions: ExecutionStore;
  /** The simulation's settings (runtime settings executionMs, executionFailShare, executionSeed, runOnStart). */
  execution: ExecutionSettings;
  now: number;
}

export type Handler = (ctx: ApiContext) => Reply;

/** An error reply with the FDI/APIG body. */
export function errorReply(status: number, code: string, message: string): Reply {
  return { status, body: { error_code: code, error_msg: message } };
}

/** 400 FDI.3033 "Invalid parameter [field]…". */
export function invalidParameter(field: string, detail?: string): Reply {
  return errorReply(400, ERROR_CODES.invalidParameter, `Invalid parameter [${field}]${detail ? `: ${detail}` : '.'}`);
}

export function taskNotFound(): Reply {
  return errorReply(404, ERROR_CODES.taskNotFound, 'The task does not exist.');
}

export function malformedJson(): Reply {
  return errorReply(400, ERROR_CODES.invalidParameters, 'Invalid parameters: the request body is not valid JSON.');
}

/** offset (0-based, < 0 → 0) and limit (default 10, > 999 → 999, < 1 refused). */
export function parsePaging(query: URLSearchParams): { offset: number; limit: number } | Reply {
  const offset = intParam(query, 'offset', 0);
  const limit = intParam(query, 'limit', 10);
  if (offset === undefined) return invalidParameter('offset', 'must be an integer');
  if (limit === undefined || limit < 1) return invalidParameter('limit', 'must be an integer of at least 1');
  return { offset: Math.max(0, offset), limit: Math.min(MAX_PAGE_LIMIT, limit) };
}

/** An integer query parameter; the fallback when absent or empty, undefined when not an integer. */
export function intParam(query: URLSearchParams, name: string, fallback: number): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  return /^-?\d+$/.test(raw) ? Number(raw) : undefined;
}

export function isReply(v: unknown): v is Reply {
  return typeof v === 'object' && v !== null && 'status' in v;
}

/** A page of a list: `{total, size, entities}`. */
export function page<T>(all: T[], offset: number, limit: number): { total: number; size: number; entities: T[] } {
  const entities = all.slice(offset, offset + limit);
  return { total: all.length, size: entities.length, entities };
}
