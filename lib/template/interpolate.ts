/**
 * The common case of a template string, `"crm-${table}"`: literal text and `${name}` of a variable, and
 * nothing else. Such strings are substituted here rather than by json-e, whose every call re-creates its
 * builtins and context and re-parses each expression (~40 µs a task). The result is json-e's, by its
 * rules (`interpolate` in json-e/src/index.js): a string as is, a number or boolean by `toString()`, null
 * as "". Anything else (a missing variable, a list or object, an expression, a `$${` escape) is left to
 * json-e, so its semantics and its error messages stay the only ones.
 */

/** Literal text at even positions, variable names at odd ones: `"a-${x}-b"` → `["a-", "x", "-b"]`. */
export type Interpolation = readonly string[];

const IDENTIFIER = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** json-e tokens that look like identifiers but are not context lookups. */
const KEYWORDS = new Set(['true', 'false', 'null', 'in']);

/** The parts of a string made only of literal text and `${variable}`s, or undefined for any other string. */
export function simpleInterpolation(text: string): Interpolation | undefined {
  if (text.includes('$${')) return undefined;
  const parts: string[] = [];
  let rest = text;
  for (let at = rest.indexOf('${'); at !== -1; at = rest.indexOf('${')) {
    const end = rest.indexOf('}', at + 2);
    if (end === -1) return undefined;
    const name = rest.slice(at + 2, end).trim();
    if (!IDENTIFIER.test(name) || KEYWORDS.has(name)) return undefined;
    parts.push(rest.slice(0, at), name);
    rest = rest.slice(end + 1);
  }
  parts.push(rest);
  return parts;
}

/** The interpolated string, or undefined when a variable is missing or not a string, number, boolean or null. */
export function interpolateSimple(parts: Interpolation, vars: Readonly<Record<string, unknown>>): string | undefined {
  let out = parts[0];
  for (let i = 1; i < parts.length; i += 2) {
    if (!Object.prototype.hasOwnProperty.call(vars, parts[i])) return undefined;
    const v = vars[parts[i]];
    if (typeof v === 'string') out += v;
    else if (typeof v === 'number' || typeof v === 'boolean') out += v.toString();
    else if (v !== null) return undefined;
    out += parts[i + 1];
  }
  return out;
}
