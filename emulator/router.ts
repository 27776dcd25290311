/**
 * The route table: method + path → a handler and the label stats count it under.
 */
import type { Handler } from './api.js';
import { batchOperation } from './batch.js';
import { listDatasources, showDatasource } from './datasource-routes.js';
import { createDispatch, showDispatch, updateDispatch } from './dispatches.js';
import { listMonitorLogs, listTaskMonitors, runTask, terminateTask } from './execution-routes.js';
import { createTask, deleteTask, listTasks, showTask, updateTask } from './tasks.js';

export const IAM_ROUTE = 'POST /v3/auth/tokens';
export const UNKNOWN_ROUTE = 'unknown';

interface RouteDef {
  method: string;
  /** Segments after /v2/{project}/fdi/instances/{instance}/; ':x' matches one segment. */
  pattern: string[];
  label: string;
  handler: Handler;
  /** Whether '500-after-commit' applies. */
  commits?: boolean;
}

function route(method: string, path: string, handler: Handler, commits = false): RouteDef {
  const label = `${method} /${path
    .replace(/:task/g, '{task_id}')
    .replace(/:dispatch/g, '{dispatch_id}')
    .replace(/:ds/g, '{datasource_id}')}`;
  return { method, pattern: path.split('/'), label, handler, commits };
}

const ROUTES: RouteDef[] = [
  route('POST', 'tasks', createTask, true),
  route('GET', 'tasks', listTasks),
  route('GET', 'tasks/:task', showTask),
  route('PUT', 'tasks/:task', updateTask, true),
  route('DELETE', 'tasks/:task', deleteTask, true),
  route('POST', 'tasks/:task/dispatches', createDispatch),
  route('GET', 'tasks/:task/dispatches', showDispatch),
  route('PUT', 'tasks/:task/dispatches/:dispatch', updateDispatch),
  route('POST', 'batch-operation/tasks', batchOperation),
  route('GET', 'datasources', listDatasources),
  route('GET', 'datasources/:ds', showDatasource),
  route('POST', 'tasks/:task/run', runTask, true),
  route('POST', 'tasks/:task/terminate', terminateTask, true),
  route('GET', 'task-monitors', listTaskMonitors),
  route('GET', 'tasks/:task/monitor-logs', listMonitorLogs),
];

export type Match =
  | { kind: 'admin'; action: string }
  | { kind: 'iam'; label: string }
  | {
      kind: 'api';
      label: string;
      handler: Handler;
      commits: boolean;
      project: string;
      instance: string;
      params: string[];
    }
  | { kind: 'unknown'; label: string };

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** Matches a request; `pathname` is the raw path without the query. */
export function matchRoute(method: string, pathname: string): Match {
  if (pathname.startsWith('/__emulator/'))
    return { kind: 'admin', action: `${method} ${pathname.slice('/__emulator/'.length)}` };
  if (pathname === '/v3/auth/tokens' && method === 'POST') return { kind: 'iam', label: IAM_ROUTE };
  const raw = pathname.split('/').slice(1);
  const segments = raw.map(decode);
  if (segments.some((s) => s === undefined || s === '')) return { kind: 'unknown', label: UNKNOWN_ROUTE };
  const [v2, project, fdi, instances, instance, ...rest] = segments as string[];
  if (v2 !== 'v2' || fdi !== 'fdi' || instances !== 'instances' || instance === undefined)
    return { kind: 'unknown', label: UNKNOWN_ROUTE };
  for (const r of ROUTES) {
    if (r.method !== method || r.pattern.length !== rest.length) continue;
    const params: string[] = [];
    const ok = r.pattern.every((p, i) => (p.startsWith(':') ? (params.push(rest[i]), true) : p === rest[i]));
    if (ok)
      return {
        kind: 'api',
        label: r.label,
        handler: r.handler,
        commits: Boolean(r.commits),
        project,
        instance,
        params,
      };
  }
  return { kind: 'unknown', label: UNKNOWN_ROUTE };
}
