/**
 * Task entries → expansion plans: which levels apply (defaults < template < task), the merged fields
 * to render, the merged variables, the matrix and its size. Nothing is rendered here.
 */
import {
  type JsonObject,
  hasOwnKey,
  isPlainObject,
  matrixCount,
  prepareTemplate,
  shallowMerge,
  toMatrixSpec,
  usesOperators,
} from '../template/index.js';
import type { EntryPlan, Level } from './entry-plan.js';
import { levelProblems, matrixProblems, unknownTemplateProblem } from './level-checks.js';
import type { PathSegment, SourceMap } from './locate.js';
import { mergeLevels } from './merge-levels.js';
import type { ManifestInput, TaskEntryInput } from './schema.js';
import type { Problem } from './types.js';

/** Prepares one task entry, or returns its problems. */
export function planEntry(
  manifest: ManifestInput,
  entryIndex: number,
  file: string,
  source: SourceMap,
  varNames: ReadonlySet<string> = new Set(),
): { plan?: EntryPlan | undefined; problems: Problem[] } {
  const entry = manifest.tasks[entryIndex] as TaskEntryInput;
  const path: PathSegment[] = ['tasks', entryIndex];
  const inherited = inheritedLevels(manifest, entry, path, file, source);
  const own: Level = { path, data: entry };
  const levels = [...inherited.levels, own];
  const problems = [...inherited.problems, ...levelProblems(own, file, source)];
  const matrix = entry.matrix === undefined ? undefined : toMatrixSpec(entry.matrix as JsonObject);
  if (matrix) problems.push(...matrixProblems(matrix, entry.matrix as JsonObject, [...path, 'matrix'], file, source));
  if (problems.length) return { problems };

  const { fields, origins, detail } = mergeLevels(levels, entry.name, own);
  const vars = shallowMerge(
    manifest.vars as JsonObject | undefined,
    ...levels.map((l) => (l.data as JsonObject | null)?.vars as JsonObject | undefined),
  );
  return {
    plan: {
      entryIndex,
      position: source.locate(path),
      rawName: entry.name,
      fields,
      prepared: prepareTemplate(fields),
      origins,
      detail,
      vars,
      ownVars: Object.keys((entry.vars as JsonObject | undefined) ?? {}),
      varNames,
      matrix,
      count: matrix ? matrixCount(matrix) : 1,
      startIndex: 0,
      guarded: usesOperators(fields),
      hasMatrix: matrix !== undefined,
    },
    problems: [],
  };
}

/** The levels an entry inherits from (the defaults, then its template), or the problem of an unknown template. */
function inheritedLevels(
  manifest: ManifestInput,
  entry: TaskEntryInput,
  path: PathSegment[],
  file: string,
  source: SourceMap,
): { levels: Level[]; problems: Problem[] } {
  const levels: Level[] = [];
  if (manifest.defaults) levels.push({ path: ['defaults'], data: manifest.defaults });
  if (entry.template === undefined) return { levels, problems: [] };
  const templates = manifest.templates ?? {};
  if (!hasOwnKey(templates, entry.template)) {
    return { levels, problems: [unknownTemplateProblem(entry.template, Object.keys(templates), path, file, source)] };
  }
  levels.push({ path: ['templates', entry.template], data: templates[entry.template] });
  return { levels, problems: [] };
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
