/**
 * Text → YAML document with positions → plain data, under bounds: a cheap token scan counts nodes and
 * flow nesting before the document is built (building is what costs memory), then the built document is
 * checked for nesting depth, numbers JSON cannot hold exactly, and alias expansion.
 */
import { Composer, type Document, LineCounter, Parser, YAMLParseError } from 'yaml';
import { inspectNodes } from './inspect-nodes.js';
import { type Position, SourceMap } from './locate.js';
import { TokenScan } from './prescan.js';
import { syntaxCauses } from './syntax-causes.js';
import type { ManifestLimits, Problem } from './types.js';

/** A parsed manifest: the document (for positions) and its data. */
export interface ParsedManifest {
  doc: Document;
  source: SourceMap;
  /** The document as plain data (objects keep key order; `__proto__` is an ordinary own key). */
  data: unknown;
}

/** Parses a manifest's text. Returns every syntax problem, or the first bound that is exceeded. */
export function parseManifestText(
  text: string,
  file: string,
  limits: ManifestLimits,
): { parsed?: ParsedManifest; problems: Problem[] } {
  const scan = new TokenScan(text, file, limits);
  const deep = scan.blockDepth();
  if (deep) return { problems: [deep] };
  const lines = new LineCounter();
  const doc = buildDocument(text, lines, scan);
  // A bound exceeded anywhere in the text is the only problem, whatever the parser made of the text.
  const bound = scan.finish();
  if (bound) return { problems: [bound] };
  if (!doc.ok) return { problems: [parserFailure(doc.error, file)] };
  const { errors, warnings, contents } = doc.value;
  const problems = syntaxCauses([...errors, ...warnings], text, file, lines);
  if (problems.length) return { problems };
  if (contents === null) return { problems: [emptyProblem(file)] };
  const source = new SourceMap(doc.value, lines);
  const inspected = inspectNodes(doc.value, source, file, limits);
  if (inspected.problems.length) return { problems: inspected.problems };
  const data = toData(doc.value, limits, file, inspected.firstAlias);
  if (!data.ok) return { problems: [data.problem] };
  return { parsed: { doc: doc.value, source, data: data.value }, problems: [] };
}

/**
 * yaml's `parseDocument`, step by step (yaml 2's public-api.js; `prettyErrors` is off), with the tokens
 * of `scan`: the text is lexed once, for the bounds and for the parser.
 */
function buildDocument(
  text: string,
  lineCounter: LineCounter,
  scan: TokenScan,
): { ok: true; value: Document } | { ok: false; error: unknown } {
  try {
    const options = {
      lineCounter,
      prettyErrors: false,
      uniqueKeys: true,
      merge: true,
      stringKeys: true,
      version: '1.2',
    } as const;
    const parser = new Parser(lineCounter.addNewLine);
    const composer = new Composer(options);
    // `value` is always set by compose.end(true) at the very latest.
    let value: Document | undefined;
    for (const doc of composer.compose(tokens(parser, scan, lineCounter), true, text.length)) {
      if (!value) value = doc;
      else if (value.options.logLevel !== 'silent') {
        value.errors.push(
          new YAMLParseError(
            [doc.range[0], doc.range[1]],
            'MULTIPLE_DOCS',
            'Source contains multiple documents; please use YAML.parseAllDocuments()',
          ),
        );
        break;
      }
    }
    return { ok: true, value: value as Document };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Parser.parse(text), reading the tokens of `scan`; they end early when a bound is exceeded. */
function* tokens(parser: Parser, scan: TokenScan, lineCounter: LineCounter): ReturnType<Parser['parse']> {
  lineCounter.addNewLine(0);
  for (let token = scan.next(); token !== undefined; token = scan.next()) yield* parser.next(token);
  if (!scan.problem) yield* parser.end();
}

/** Only a nesting deeper than the parser's stack makes it throw (when maxDepth is raised very high). */
function parserFailure(err: unknown, file: string): Problem {
  return {
    kind: 'bound',
    file,
    line: 1,
    column: 1,
    message: `the manifest could not be parsed: ${err instanceof RangeError ? 'it nests too deeply' : String(err)}`,
    hint: 'flatten the structure',
  };
}

function emptyProblem(file: string): Problem {
  return {
    kind: 'schema',
    file,
    line: 1,
    column: 1,
    message: 'the manifest is empty',
    hint: 'a manifest needs at least "version: 1" and a "tasks:" list',
  };
}

/** The document as plain data, with aliases expanded at most `maxAliases` times. */
function toData(
  doc: Document,
  limits: ManifestLimits,
  file: string,
  firstAlias: Position | undefined,
): { ok: true; value: unknown } | { ok: false; problem: Problem } {
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: limits.maxAliases }) };
  } catch (err) {
    const message =
      err instanceof ReferenceError
        ? `YAML aliases expand too much (more than ${limits.maxAliases} expansions)`
        : `the manifest could not be read: ${err instanceof Error ? err.message : String(err)}`;
    return {
      ok: false,
      problem: {
        kind: 'bound',
        file,
        ...(firstAlias ?? { line: 1, column: 1 }),
        message,
        hint: 'use fewer "*alias" references; templates and defaults share settings without aliases',
      },
    };
  }
}
