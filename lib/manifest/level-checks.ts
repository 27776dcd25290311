/**
 * What the schema cannot say about a level of settings (defaults, a template, a task entry): a
 * template that does not exist, `detail` next to `detail_json`, variable names json-e would not
 * accept, a matrix without variables.
 */
import { type JsonObject, type MatrixSpec, hasOwnKey, isPlainObject } from '../template/index.js';
import type { Level } from './entry-plan.js';
import type { PathSegment, SourceMap } from './locate.js';
import { formatPath } from './problem.js';
import { VAR_NAME } from './schema.js';
import { didYouMean } from './suggest.js';
import type { Problem } from './types.js';

/** Problems of a level that the schema cannot express. */
export function levelProblems(level: Level, file: string, source: SourceMap): Problem[] {
  const out: Problem[] = [];
  const d = level.data;
  if (hasOwnKey(d, 'detail') && hasOwnKey(d, 'detail_json')) {
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

/** The matrix's variable names, and a matrix that has none. */
export function matrixProblems(
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

/** A task entry's `template:` that names no template (`path` is the entry's). */
export function unknownTemplateProblem(
  name: string,
  templates: readonly string[],
  path: PathSegment[],
  file: string,
  source: SourceMap,
): Problem {
  const at = source.locate([...path, 'template']);
  return {
    kind: 'schema',
    file,
    line: at.line,
    column: at.column,
    field: formatPath([...path, 'template']),
    message: `unknown template ${JSON.stringify(name)}${didYouMean(name, templates)}`,
    hint: templates.length ? `the templates are: ${templates.join(', ')}` : 'define it under "templates:"',
  };
}
