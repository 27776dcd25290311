/**
 * Text → YAML document with positions → plain data, under bounds: a cheap token scan counts nodes and
 * flow nesting before the document is built (building is what costs memory), then the built document is
 * checked for nesting depth, numbers JSON cannot hold exactly, and alias expansion.
 */
import { type Document, LineCounter, parseDocument } from 'yaml';
import { inspectNodes } from './inspect-nodes.js';
import { type Position, SourceMap } from './locate.js';
import { prescan } from './prescan.js';
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
  const bound = prescan(text, file, limits);
  if (bound) return { problems: [bound] };
  const lines = new LineCounter();
  const doc = buildDocument(text, lines);
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

function buildDocument(
  text: string,
  lineCounter: LineCounter,
): { ok: true; value: Document } | { ok: false; error: unknown } {
  try {
    const value = parseDocument(text, {
      lineCounter,
      prettyErrors: false,
      uniqueKeys: true,
      merge: true,
      stringKeys: true,
      version: '1.2',
    });
    return { ok: true, value };
  } catch (error) {
    return { ok: false, error };
  }
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
