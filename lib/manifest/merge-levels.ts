/**
 * A task entry's levels (defaults < template < task) → the fields to render: each single field from
 * the most specific level that sets it, `target` merged key by key, `detail` deep-merged (or replaced
 * by a `detail_json`), in the order of the create request.
 */
import { type JsonObject, deepMerge, hasOwnKey, isPlainObject, shallowMerge } from '../template/index.js';
import { type DetailSource, type EntryPlan, type Level, RENDERED_FIELDS } from './entry-plan.js';

/** The fields a level sets as a whole (the most specific level wins). */
const SINGLE_FIELDS = [
  'task_type',
  'source_datasource',
  'target_datasource',
  'description',
  'task_tag',
  'schedule',
  'start',
  'run_now',
] as const;

/** The merged fields of an entry named `name` whose own level is `own`, and the level each field comes from. */
export function mergeLevels(
  levels: Level[],
  name: string,
  own: Level,
): { fields: JsonObject; origins: EntryPlan['origins']; detail: DetailSource } {
  const fields: JsonObject = { name };
  const origins: EntryPlan['origins'] = { name: own };
  for (const field of SINGLE_FIELDS) {
    for (const level of levels) {
      if (hasOwnKey(level.data, field)) origins[field] = level;
    }
    const from = origins[field];
    const value = from ? (from.data as JsonObject)[field] : undefined;
    if (value !== undefined && value !== null) fields[field] = value;
    else delete origins[field];
  }
  const targetLevels = levels.filter((l) => l.data.target !== undefined);
  if (targetLevels.length) {
    fields.target = shallowMerge(...targetLevels.map((l) => l.data.target as JsonObject));
    origins.target = targetLevels[targetLevels.length - 1];
  }
  const detail = mergeDetail(levels);
  if (detail.source.kind === 'object') {
    fields.detail = detail.value;
    origins.detail = detail.source.levels[detail.source.levels.length - 1];
  }
  // Reorder so the request's field order is the render order.
  const ordered: JsonObject = {};
  for (const f of RENDERED_FIELDS) if (hasOwnKey(fields, f)) ordered[f] = fields[f];
  return { fields: ordered, origins, detail: detail.source };
}

/** `detail` deep-merges down the levels; a `detail_json` at a level replaces everything below it. */
function mergeDetail(levels: Level[]): { source: DetailSource; value?: unknown } {
  let source: DetailSource = { kind: 'none' };
  let value: unknown;
  for (const level of levels) {
    if (level.data.detail_json !== undefined) {
      source = {
        kind: 'json',
        text: level.data.detail_json,
        level,
        problem: jsonObjectProblem(level.data.detail_json),
      };
      value = undefined;
    } else if (level.data.detail !== undefined) {
      if (source.kind === 'object') {
        source = { kind: 'object', levels: [...source.levels, level] };
        value = deepMerge(value, level.data.detail);
      } else {
        source = { kind: 'object', levels: [level] };
        value = level.data.detail;
      }
    }
  }
  return { source, value };
}

/** A `detail_json` that is not the text of a JSON object (kept with the plan, reported for each task). */
function jsonObjectProblem(text: string): { message: string; hint: string } | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (isPlainObject(parsed)) return undefined;
    return {
      message: `detail_json must hold a JSON object (it holds ${Array.isArray(parsed) ? 'an array' : typeof parsed})`,
      hint: 'task_detail is a RawFormDataRequest object: {"sourceSelectedDatasource": …, …}',
    };
  } catch (err) {
    return {
      message: `detail_json is not valid JSON: ${(err as Error).message}`,
      hint: 'paste the task_detail string exactly as exported; or write the detail as YAML under "detail:"',
    };
  }
}
