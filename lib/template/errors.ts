/** json-e errors → our own words, with the template path they happened at. */
import { RenderBoundError } from './builtins.js';

export type PathSegment = string | number;

/** Why rendering one template failed. `path` is where in the template (json-e's own location). */
export interface RenderFailure {
  kind: 'template' | 'bound';
  message: string;
  hint?: string;
  path: PathSegment[];
  /** For an undefined variable: its name. */
  variable?: string;
}

interface JsoneError {
  name: string;
  message: string;
  location: string[];
}

function isJsoneError(err: unknown): err is JsoneError {
  return err instanceof Error && Array.isArray((err as Partial<JsoneError>).location);
}

/** Parses json-e's location (`.a`, `[3]`, `["a b"]`) into path segments. */
export function parseLocation(location: readonly string[]): PathSegment[] {
  const out: PathSegment[] = [];
  for (const loc of location) {
    if (loc.startsWith('.')) out.push(loc.slice(1));
    else if (/^\[\d+\]$/.test(loc)) out.push(Number(loc.slice(1, -1)));
    else if (loc.startsWith('[')) {
      try {
        out.push(String(JSON.parse(loc.slice(1, -1))));
      } catch {
        out.push(loc);
      }
    }
  }
  return out;
}

/** Translates whatever rendering threw. Errors that are not about the template are rethrown. */
export function translateRenderError(err: unknown, timeoutMs: number): RenderFailure {
  if (err instanceof RenderBoundError)
    return { kind: 'bound', message: err.message, hint: err.hint, path: parseLocation(err.location) };
  if ((err as { code?: string } | null)?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
    return {
      kind: 'bound',
      message: `rendering took longer than ${timeoutMs} ms`,
      hint: 'a $map, $reduce or $let multiplies the work; make the template simpler or its lists shorter',
      path: [],
    };
  }
  if (err instanceof RangeError) {
    const deep = /call stack/i.test(err.message);
    return {
      kind: 'bound',
      message: deep ? 'the template nests too deeply' : 'the template makes a value too large',
      hint: 'a $map, $reduce or $let multiplies the output; make the template simpler or its lists shorter',
      path: [],
    };
  }
  if (!isJsoneError(err)) throw err;
  const path = parseLocation(err.location);
  const unknown = /^unknown context value (.+)$/.exec(err.message);
  if (unknown) return { kind: 'template', message: `undefined variable "${unknown[1]}"`, variable: unknown[1], path };
  return { kind: 'template', message: `json-e ${describe(err)}`, hint: hintFor(err.message), path };
}

function describe(err: JsoneError): string {
  const what = err.name === 'SyntaxError' ? 'syntax error' : err.name === 'BuiltinError' ? 'builtin error' : 'error';
  return `${what}: ${err.message}`;
}

function hintFor(message: string): string {
  if (/reserved; use \$\$/.test(message))
    return 'a literal key starting with "$" is written with "$$" (e.g. "$$ref" gives "$ref")';
  if (/unterminated|expected one of|Unexpected/i.test(message))
    return 'check the expression inside "${…}"; a literal "${" is written "$${"';
  if (/has undefined properties/.test(message))
    return "check the spelling of the operator's keys (json-e: $if/then/else, $map/each(x), $let/in, …)";
  if (/invalid arguments to builtin/.test(message)) return "check the number and types of the builtin's arguments";
  if (/produced an array or object/.test(message))
    return 'interpolation "${…}" makes strings; use {$eval: …} to keep a list or object';
  return 'see the json-e documentation of this operator';
}
