/**
 * Task entries → expansion plans: which levels apply (defaults < template < task), the merged fields
 * to render, the merged variables, the matrix and its size. Nothing is rendered here. Checks what the
 * schema cannot say: template references, variable and matrix names, `detail` vs `detail_json`.
 */
import {
  type JsonObject,
  type MatrixSpec,
  type PreparedTemplate,
  deepMerge,
  isPlainObject,
  matrixCount,
  prepareTemplate,
  shallowMerge,
  toMatrixSpec,
  usesOperators,
} from '../template/index.js';
import type { PathSegment, Position, SourceMap } from './locate.js';
import { formatPath } from './schema-problems.js';
import { type ManifestInput, type TaskEntryInput, type TaskSettingsInput, VAR_NAME } from './schema.js';
import { didYouMean } from './suggest.js';
import type { Problem } from './types.js';

/** One level of settings a task inherits from, with its place in the document. */
export interface Level {
  path: PathSegment[];
  data: TaskSettingsInput;
}

/** The task fields that are rendered, in the order of the create request. */
export const RENDERED_FIELDS = [
  'name',
  'task_type',
  'source_datasource',
  'target_datasource',
  'description',
  'task_tag',
  'target',
  'schedule',
  'start',
  'detail',
] as const;
export type RenderedField = (typeof RENDERED_FIELDS)[number];

export type DetailSource =
  | { kind: 'object'; levels: Level[] }
  | { kind: 'json'; text: string; level: Level; problem?: { message: string; hint: string } | undefined }
  | { kind: 'none' };

/** Everything needed to expand one task entry, prepared once. */
export interface EntryPlan {
  entryIndex: number;
  position: Position;
  /** The name as written (a template). */
  rawName: string;
  /** Merged fields to render with json-e; absent fields are left out. */
  fields: JsonObject;
  /** The same, split into static and dynamic parts once. */
  prepared: PreparedTemplate;
  /** The level each field comes from (for locating problems). */
  origins: Partial<Record<RenderedField, Level>>;
  detail: DetailSource;
  /** Variables before the matrix: manifest < defaults < template < task. */
  vars: JsonObject;
  matrix?: MatrixSpec | undefined;
  /** Tasks this entry expands to. */
  count: number;
  /** Index of its first task in the whole manifest's expansion order (entries before it may be broken). */
  startIndex: number;
  /** Whether the fields use json-e operators (rendered under the time budget). */
  guarded: boolean;
  hasMatrix: boolean;
}

const SINGLE_FIELDS = [
  'task_type',
  'source_datasource',
  'target_datasource',
  'description',
  'task_tag',
  'schedule',
  'start',
] as const;

const has = (o: object | null | undefined, k: string): boolean =>
  typeof o === 'object' && o !== null && Object.prototype.hasOwnProperty.call(o, k);

/** Problems of a level that the schema cannot express. */
export function levelProblems(level: Level, file: string, source: SourceMap): Problem[] {
  const out: Problem[] = [];
  const d = level.data;
  if (has(d, 'detail') && has(d, 'detail_json')) {
    const at = source.locate([...level.path, 'detail_json'], { key: true });
    out.push({
      kind: 'schema',
      file,
      line: at.line,
      column: at.column,
      field: formatPath([...level.path, 'detail_json']),
      message: `detail and detail_json cannot both be set in ${formatPath(level.path)}`,
      hint: 'keep one: detail (YAML, rendered) or detail_json (a JSON string used as is)',
    });
  }
  if (typeof d === 'object' && d !== null) out.push(...varNameProblems(d.vars, [...level.path, 'vars'], file, source));
  return out;
}

/** Variable names must be identifiers json-e accepts (the schema cannot see an own "__proto__" key). */
export function varNameProblems(
  vars: unknown,
  path: PathSegment[],
  file: string,
  source: SourceMap,
  what = 'variable',
): Problem[] {
  if (!isPlainObject(vars)) return [];
  return Object.keys(vars)
    .filter((k) => !VAR_NAME.test(k))
    .map((k) => {
      const at = source.locate([...path, k], { key: true });
      return {
        kind: 'schema' as const,
        file,
        line: at.line,
        column: at.column,
        field: formatPath([...path, k]),
        message: `${what} name ${JSON.stringify(k)} is not allowed`,
        hint: `${what} names are identifiers (letters, digits, "_", not starting with a digit) other than __proto__, constructor and prototype`,
      };
    });
}

/** Prepares one task entry, or returns its problems. */
export function planEntry(
  manifest: ManifestInput,
  entryIndex: number,
  file: string,
  source: SourceMap,
): { plan?: EntryPlan | undefined; problems: Problem[] } {
  const entry = manifest.tasks[entryIndex] as TaskEntryInput;
  const path: PathSegment[] = ['tasks', entryIndex];
  const levels: Level[] = [];
  if (manifest.defaults) levels.push({ path: ['defaults'], data: manifest.defaults });
  const problems: Problem[] = [];
  if (entry.template !== undefined) {
    const templates = manifest.templates ?? {};
    if (!has(templates, entry.template)) {
      const at = source.locate([...path, 'template']);
      const names = Object.keys(templates);
      problems.push({
        kind: 'schema',
        file,
        line: at.line,
        column: at.column,
        field: formatPath([...path, 'template']),
        message: `unknown template ${JSON.stringify(entry.template)}${didYouMean(entry.template, names)}`,
        hint: names.length ? `the templates are: ${names.join(', ')}` : 'define it under "templates:"',
      });
    } else {
      levels.push({ path: ['templates', entry.template], data: templates[entry.template] });
    }
  }
  const own: Level = { path, data: entry };
  levels.push(own);
  problems.push(...levelProblems(own, file, source));
  let matrix: MatrixSpec | undefined;
  if (entry.matrix !== undefined) {
    matrix = toMatrixSpec(entry.matrix as JsonObject);
    problems.push(...matrixProblems(matrix, entry.matrix as JsonObject, [...path, 'matrix'], file, source));
  }
  if (problems.length) return { problems };

  const fields: JsonObject = { name: entry.name };
  const origins: EntryPlan['origins'] = { name: own };
  for (const field of SINGLE_FIELDS) {
    for (const level of levels) {
      if (has(level.data, field)) origins[field] = level;
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
  for (const f of RENDERED_FIELDS) if (has(fields, f)) ordered[f] = fields[f];
  const vars = shallowMerge(
    manifest.vars as JsonObject | undefined,
    ...levels.map((l) => (l.data as JsonObject | null)?.vars as JsonObject | undefined),
  );
  const count = matrix ? matrixCount(matrix) : 1;
  return {
    plan: {
      entryIndex,
      position: source.locate(path),
      rawName: entry.name,
      fields: ordered,
      prepared: prepareTemplate(ordered),
      origins,
      detail: detail.source,
      vars,
      matrix,
      count,
      startIndex: 0,
      guarded: usesOperators(ordered),
      hasMatrix: matrix !== undefined,
    },
    problems: [],
  };
}

/** How many tasks an entry makes, even a broken one (so that later tasks keep their index): 1 without a usable matrix. */
export function entryCount(entry: unknown): number {
  const matrix = isPlainObject(entry) ? entry.matrix : undefined;
  if (!isPlainObject(matrix)) return 1;
  const include = Array.isArray(matrix.include) ? matrix.include.length : 0;
  const dims = Object.keys(matrix)
    .filter((k) => k !== 'include')
    .map((k) => matrix[k]);
  if (!dims.every(Array.isArray)) return 1;
  const count = (dims.length ? dims.reduce((n: number, d) => n * (d as unknown[]).length, 1) : 0) + include;
  return count > 0 ? count : 1;
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

function matrixProblems(
  spec: MatrixSpec,
  raw: JsonObject,
  path: PathSegment[],
  file: string,
  source: SourceMap,
): Problem[] {
  const out = varNameProblems(raw, path, file, source, 'matrix variable');
  spec.include.forEach((extra, i) => out.push(...varNameProblems(extra, [...path, 'include', i], file, source)));
  if (spec.dimensions.length === 0 && spec.include.length === 0) {
    const at = source.locate(path);
    out.push({
      kind: 'schema',
      file,
      line: at.line,
      column: at.column,
      field: formatPath(path),
      message: 'matrix has no variables',
      hint: 'give each variable a list of values, e.g. matrix: { table: [ORDERS, PAYMENTS] }',
    });
  }
  return out;
}
