/**
 * GET /datasources (fuzzy `name`, exact `datasource_type` and `app_id`) and GET /datasources/{id}.
 */
import type { DataSource } from '../lib/fdi/model/api.js';
import { ERROR_CODES } from '../lib/fdi/model/api.js';
import { type ApiContext, type Reply, errorReply, isReply, page, parsePaging } from './api.js';

function view(ds: DataSource, instance: string): DataSource {
  return { ...ds, instance_id: ds.instance_id ?? instance };
}

/** GET /datasources */
export function listDatasources(ctx: ApiContext): Reply {
  const paging = parsePaging(ctx.query);
  if (isReply(paging)) return paging;
  const name = ctx.query.get('name');
  const type = ctx.query.get('datasource_type');
  const app = ctx.query.get('app_id');
  const matching = [...ctx.datasources.values()].filter(
    (d) =>
      (!name || d.datasource_name.includes(name)) &&
      (!type || d.datasource_type === type) &&
      (!app || d.app_id === app),
  );
  const p = page(matching, paging.offset, paging.limit);
  return { status: 200, body: { ...p, entities: p.entities.map((d) => view(d, ctx.instance)) } };
}

/** GET /datasources/{datasource_id}: the DataSourceRsp fields at top level. */
export function showDatasource(ctx: ApiContext): Reply {
  const ds = ctx.datasources.get(ctx.params[0]);
  if (!ds)
    return errorReply(
      404,
      ERROR_CODES.invalidParameter,
      'Invalid parameter [datasource_id]: the data source does not exist.',
    );
  return { status: 200, body: view(ds, ctx.instance) };
}
