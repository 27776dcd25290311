/**
 * Data sources by ID or by name, against an instance's listing. Pure: a name matches exactly one data
 * source; one that matches none is a problem placed where the manifest writes it, with the closest
 * name and the names that exist.
 */
import type { DataSource } from '../fdi/model/api.js';
import { didYouMean, type DatasourceRef } from '../manifest/index.js';
import type { Target } from '../types.js';
import type { PlanProblem } from './types.js';

/** How many names of an instance's data sources a hint lists. */
const LISTED_NAMES = 10;

/**
 * Resolves a data-source reference: an ID must exist, a name must match exactly one data source. A
 * name that matches none is placed where the manifest writes it, with the closest name and the names
 * that exist.
 */
export function resolveDatasource(
  ref: DatasourceRef,
  known: DataSource[] | undefined,
  role: string,
  target: Target,
  writtenAt?: { line: number; column: number },
): { id: string } | { problem: PlanProblem } {
  const where = `instance ${target.instance_id}`;
  if ('id' in ref) {
    if (known && !known.some((d) => d.datasource_id === ref.id))
      return { problem: { message: `${role} data source ID "${ref.id}" does not exist in ${where}` } };
    return { id: ref.id };
  }
  const at = { line: writtenAt?.line, column: writtenAt?.column };
  const matches = (known ?? []).filter((d) => d.datasource_name === ref.name);
  if (matches.length === 1) return { id: matches[0].datasource_id };
  if (matches.length > 1) {
    const which = matches.map((d) => `${d.datasource_id} in app ${d.app_id}`).join(', ');
    const message = `${role} data source name "${ref.name}" is ambiguous in ${where} (${which}); give the ID instead`;
    return { problem: { message, ...at } };
  }
  const names = [...new Set((known ?? []).map((d) => d.datasource_name))].sort();
  const listed = names.slice(0, LISTED_NAMES).map((n) => JSON.stringify(n));
  const hint = names.length
    ? `the data sources of ${where} are: ${listed.join(', ')}${names.length > LISTED_NAMES ? `, … (${names.length} in all)` : ''}`
    : `${where} has no data sources`;
  const message = `${role} data source "${ref.name}" was not found in ${where}${didYouMean(ref.name, names)}`;
  return { problem: { message, hint, ...at } };
}
