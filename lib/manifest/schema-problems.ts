/** zod issues → located problems in the manifest's words, with "did you mean" for unknown keys and values. */
import type { z } from 'zod';
import { DISPATCH_PERIODS, TASK_TYPES } from '../fdi/model/api.js';
import { ON_EXISTS } from '../types.js';
import type { PathSegment, SourceMap } from './locate.js';
import { describeValue, formatPath } from './problem.js';
import { ManifestSchema } from './schema.js';
import { didYouMean } from './suggest.js';
import type { Problem } from './types.js';

type Issue = z.core.$ZodIssue & { input?: unknown };
/** A problem with the schema path it is about (check-structure.ts uses the path to tell which parts are broken). */
type LocatedProblem = Problem & { path: PathSegment[] };

/** What a field must be, in words, where the schema's own message would be vague. */
const EXPECTED: Record<string, string> = {
  source_datasource: 'a data source ID (a string) or {name: …}',
  target_datasource: 'a data source ID (a string) or {name: …}',
  start: 'true or false (or a json-e operator such as {$eval: …})',
  run_now: 'true or false (or a json-e operator such as {$eval: …})',
  verify: 'a whole number of seconds from 1 to 3600',
  task_type: `${TASK_TYPES.join(' or ')}`,
  interval: 'a whole number from 1 to 59',
  period: DISPATCH_PERIODS.join(', '),
  description: 'a string',
  task_tag: 'a string',
  start_datetime: 'epoch milliseconds or an ISO 8601 date-time with an offset',
  detail: 'a mapping (the task_detail object)',
  matrix: 'a mapping of variable → list of values',
  schedule: 'a mapping such as {cron: "0 30 2 * * ?"} or {period: DAY, interval: 1}',
};

const ENUMS: Record<string, readonly string[]> = {
  task_type: TASK_TYPES,
  period: DISPATCH_PERIODS,
  on_exists: ON_EXISTS,
};

const REQUIRED_HINTS: Record<string, string> = {
  version: 'start the manifest with "version: 1"',
  tasks: 'list the tasks to create under "tasks:"',
  name: 'every task entry needs a name (3–100 letters, digits, ".", "_", "-"), e.g. name: "crm-${lowercase(table)}"',
};

function where(path: readonly PathSegment[]): string {
  if (path.length === 0) return 'the manifest';
  if (path.length === 2 && path[0] === 'templates') return `template ${JSON.stringify(path[1])}`;
  return formatPath(path);
}

const EXPECTED_TYPE: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
};

/** Runs the schema and returns its problems (empty when the manifest has the right shape). */
export function schemaProblems(data: unknown, source: SourceMap, file: string): LocatedProblem[] {
  const result = ManifestSchema.safeParse(data, { reportInput: true });
  if (result.success) return [];
  const out: LocatedProblem[] = [];
  for (const issue of flatten(result.error.issues as Issue[], [])) {
    out.push(...toProblems(issue, source, file));
  }
  return out;
}

/** Unions whose every branch failed come back as one issue per branch list; keep the branch that fits best. */
function flatten(issues: Issue[], prefix: PathSegment[]): Issue[] {
  const out: Issue[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...(issue.path as PathSegment[])];
    if (issue.code === 'invalid_union' && issue.errors.length) {
      const fitting = issue.errors.filter(
        (branch) => !branch.every((i) => i.code === 'invalid_type' && i.path.length === 0),
      );
      if (fitting.length === 1) {
        out.push(...flatten(fitting[0] as Issue[], path));
        continue;
      }
    }
    out.push({ ...issue, path } as Issue);
  }
  return out;
}

/** One issue → its problems (one per key for unknown keys). */
function toProblems(issue: Issue, source: SourceMap, file: string): LocatedProblem[] {
  const path = issue.path as PathSegment[];
  const base = { kind: 'schema' as const, file, field: formatPath(path) };
  if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => unknownKeyProblem(k, path, base, source));
  if (issue.code === 'invalid_key') {
    const at = source.locate(path, { key: true });
    const message = (issue.issues[0]?.message ?? 'is not allowed') as string;
    const key = JSON.stringify(String(path[path.length - 1]));
    return [
      {
        ...base,
        path,
        line: at.line,
        column: at.column,
        message: `key ${key} in ${where(path.slice(0, -1))}: ${message}`,
      },
    ];
  }
  const last = path.length ? path[path.length - 1] : undefined;
  const missing = issue.input === undefined && typeof last === 'string' && issue.code !== 'custom';
  const at = source.locate(missing ? path.slice(0, -1) : path);
  const loc = { ...base, path, line: at.line, column: at.column };
  if (missing) {
    return [
      {
        ...loc,
        message: `${JSON.stringify(String(last))} is required in ${where(path.slice(0, -1))}`,
        hint: REQUIRED_HINTS[String(last)],
      },
    ];
  }
  return [{ ...loc, message: valueMessage(issue, path, base.field) }];
}

/** A key the schema does not know at `path`; name, template and matrix only belong to task entries. */
function unknownKeyProblem(
  k: string,
  path: PathSegment[],
  base: { kind: 'schema'; file: string; field: string },
  source: SourceMap,
): LocatedProblem {
  const at = source.locate([...path, k], { key: true });
  const loc = { ...base, field: formatPath([...path, k]), path: [...path, k], line: at.line, column: at.column };
  const scope =
    path[0] === 'defaults' || path[0] === 'templates' ? (path.length === 1 ? 'defaults' : 'a template') : '';
  if (scope && path.length <= 2 && (k === 'name' || k === 'template' || k === 'matrix')) {
    return {
      ...loc,
      message: `"${k}" cannot be set in ${scope}`,
      hint: `set "${k}" on each task entry under "tasks:"`,
    };
  }
  const known = knownKeys(path);
  return {
    ...loc,
    message: `unknown key ${JSON.stringify(k)} in ${where(path)}${didYouMean(k, known)}`,
    hint: known.length ? `the keys here are: ${known.join(', ')}` : undefined,
  };
}

/** What is wrong with a value that is there: its type, its enum value, its size or its format. */
function valueMessage(issue: Issue, path: PathSegment[], field: string): string {
  // The field's own key names it in EXPECTED and ENUMS; for a list item, the list's key.
  const last = path[path.length - 1];
  const before = path[path.length - 2];
  const key = typeof last === 'string' ? last : typeof before === 'string' ? before : '';
  const got = ` (got ${describeValue(issue.input)})`;
  const enumValues = ENUMS[key];
  const suggestion = enumValues && typeof issue.input === 'string' ? didYouMean(issue.input, enumValues) : '';
  switch (issue.code) {
    case 'invalid_type':
    case 'invalid_union': {
      const expected =
        EXPECTED[key] ??
        (issue.code === 'invalid_type' ? (EXPECTED_TYPE[issue.expected] ?? issue.expected) : 'a valid value');
      return `${field} must be ${expected}${got}${suggestion}`;
    }
    case 'invalid_value':
      if (issue.values.length === 1) return `${field} must be ${JSON.stringify(issue.values[0])}${got}`;
      return `${field} must be one of ${issue.values.join(', ')}${got}${suggestion}`;
    case 'too_small':
    case 'too_big':
      return `${field} ${sizeMessage(issue)}${issue.origin === 'array' ? '' : got}`;
    case 'invalid_format':
    case 'custom':
      return `${field} ${issue.message}${got}${suggestion}`;
    default:
      return `${field}: ${issue.message}`;
  }
}

function sizeMessage(issue: Issue & { code: 'too_small' | 'too_big' }): string {
  if (!/^(Too|Invalid)/.test(issue.message)) return issue.message;
  const small = issue.code === 'too_small';
  const limit = Number(
    small ? (issue as { minimum: number | bigint }).minimum : (issue as { maximum: number | bigint }).maximum,
  );
  if (issue.origin === 'array')
    return limit === 1 && small ? 'must not be empty' : `must have ${small ? 'at least' : 'at most'} ${limit} items`;
  if (issue.origin === 'string')
    return limit === 1 && small
      ? 'must not be empty'
      : `must be ${small ? 'at least' : 'at most'} ${limit} characters long`;
  return `must be ${small ? 'at least' : 'at most'} ${limit}`;
}

type AnySchema = z.ZodType & {
  def: { type: string };
  shape?: Record<string, AnySchema>;
  options?: AnySchema[];
  element?: AnySchema;
  valueType?: AnySchema;
  unwrap?: () => AnySchema;
};

/** The keys the schema knows at `path` (for "did you mean"). */
export function knownKeys(path: readonly PathSegment[]): string[] {
  let schema: AnySchema | undefined = unwrapAll(ManifestSchema as unknown as AnySchema);
  for (const seg of path) {
    if (!schema) return [];
    if (schema.def.type === 'object' && typeof seg === 'string')
      schema = schema.shape?.[seg] ?? (schema.def as { catchall?: AnySchema }).catchall;
    else if (schema.def.type === 'record') schema = schema.valueType;
    else if (schema.def.type === 'array') schema = schema.element;
    else return [];
    schema = schema && unwrapAll(schema);
  }
  return schema?.def.type === 'object' ? Object.keys(schema.shape ?? {}) : [];
}

function unwrapAll(s: AnySchema): AnySchema | undefined {
  let cur: AnySchema | undefined = s;
  for (let i = 0; cur && i < 8; i++) {
    if (cur.def.type === 'optional' || cur.def.type === 'nullable' || cur.def.type === 'default') cur = cur.unwrap?.();
    else if (cur.def.type === 'union') cur = cur.options?.find((o) => unwrapAll(o)?.def.type === 'object');
    else break;
  }
  return cur;
}
