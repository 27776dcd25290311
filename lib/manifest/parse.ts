/**
 * Text → YAML document with positions → plain data, under bounds: a cheap token scan counts nodes and
 * flow nesting before the document is built (building is what costs memory), then the built document is
 * checked for nesting depth, numbers JSON cannot hold exactly, and alias expansion.
 */
import {
  CST,
  type Document,
  Lexer,
  LineCounter,
  type YAMLError,
  isAlias,
  isCollection,
  isMap,
  isPair,
  isScalar,
  parseDocument,
} from 'yaml';
import { positionOf } from './decode.js';
import { SourceMap } from './locate.js';
import type { ManifestLimits, Problem } from './types.js';

export interface ParsedManifest {
  doc: Document;
  source: SourceMap;
  /** The document as plain data (objects keep key order; `__proto__` is an ordinary own key). */
  data: unknown;
}

// Markers the lexer inserts that are not source text.
const CONTROL_TOKENS = new Set<string>([CST.DOCUMENT, CST.FLOW_END, CST.SCALAR]);
const NODE_TOKENS = new Set([
  'scalar',
  'single-quoted-scalar',
  'double-quoted-scalar',
  'block-scalar-header',
  'alias',
  'flow-map-start',
  'flow-seq-start',
]);

/** Parses a manifest's text. Returns every syntax problem, or the first bound that is exceeded. */
export function parseManifestText(
  text: string,
  file: string,
  limits: ManifestLimits,
): { parsed?: ParsedManifest; problems: Problem[] } {
  const bound = prescan(text, file, limits);
  if (bound) return { problems: [bound] };

  const lines = new LineCounter();
  let doc: Document;
  try {
    doc = parseDocument(text, {
      lineCounter: lines,
      prettyErrors: false,
      uniqueKeys: true,
      merge: true,
      stringKeys: true,
      version: '1.2',
    });
  } catch (err) {
    // Only a nesting deeper than the parser's stack can get here (when maxDepth is raised very high).
    return {
      problems: [
        {
          kind: 'bound',
          file,
          line: 1,
          column: 1,
          message: `the manifest could not be parsed: ${err instanceof RangeError ? 'it nests too deeply' : String(err)}`,
          hint: 'flatten the structure',
        },
      ],
    };
  }
  const problems = [...doc.errors, ...doc.warnings].map((e) => syntaxProblem(e, text, file, lines));
  if (problems.length) return { problems };
  if (doc.contents === null) {
    return {
      problems: [
        {
          kind: 'schema',
          file,
          line: 1,
          column: 1,
          message: 'the manifest is empty',
          hint: 'a manifest needs at least "version: 1" and a "tasks:" list',
        },
      ],
    };
  }
  const source = new SourceMap(doc, lines);
  const inspected = inspectNodes(doc, source, file, limits);
  if (inspected.problems.length) return { problems: inspected.problems };
  try {
    return { parsed: { doc, source, data: doc.toJS({ maxAliasCount: limits.maxAliases }) }, problems: [] };
  } catch (err) {
    const where = inspected.firstAlias ?? { line: 1, column: 1 };
    const message =
      err instanceof ReferenceError
        ? `YAML aliases expand too much (more than ${limits.maxAliases} expansions)`
        : `the manifest could not be read: ${err instanceof Error ? err.message : String(err)}`;
    return {
      problems: [
        {
          kind: 'bound',
          file,
          ...where,
          message,
          hint: 'use fewer "*alias" references; templates and defaults share settings without aliases',
        },
      ],
    };
  }
}

/**
 * Block nesting from indentation alone, before the parser recurses into it: a guard against nesting so
 * deep that the parser itself would run out of stack. Indentation inside block scalars also counts, so
 * the guard sits well above `maxDepth`; the exact depth check comes after parsing.
 */
function blockDepthProblem(text: string, file: string, limits: ManifestLimits): Problem | undefined {
  const guard = Math.max(256, limits.maxDepth * 4);
  const indents: number[] = [];
  // Where this run of nesting first went past maxDepth: the place to report.
  let first: { line: number; column: number } | undefined;
  let line = 0;
  for (const raw of text.split('\n')) {
    line += 1;
    const indent = raw.length - raw.trimStart().length;
    const rest = raw.trimStart();
    if (rest === '' || rest.startsWith('#')) continue;
    while (indents.length && indent <= indents[indents.length - 1]) indents.pop();
    indents.push(indent);
    if (indents.length <= limits.maxDepth) first = undefined;
    else first ??= { line, column: indent + 1 };
    if (indents.length > guard) {
      return {
        kind: 'bound',
        file,
        ...first!,
        message: `YAML nesting is deeper than ${limits.maxDepth} levels`,
        hint: 'flatten the structure',
      };
    }
  }
  return undefined;
}

/** Counts nodes and flow nesting from tokens, stopping at the first bound exceeded. */
function prescan(text: string, file: string, limits: ManifestLimits): Problem | undefined {
  const deep = blockDepthProblem(text, file, limits);
  if (deep) return deep;
  let nodes = 0;
  let flowDepth = 0;
  let offset = 0;
  for (const token of new Lexer().lex(text)) {
    const type = CST.tokenType(token);
    if (type && NODE_TOKENS.has(type)) nodes += 1;
    if (type === 'flow-map-start' || type === 'flow-seq-start') flowDepth += 1;
    else if ((type === 'flow-map-end' || type === 'flow-seq-end') && flowDepth > 0) flowDepth -= 1;
    if (nodes > limits.maxNodes) {
      return {
        kind: 'bound',
        file,
        ...positionOf(text, offset),
        message: `the manifest has more than ${limits.maxNodes.toLocaleString('en-US')} YAML nodes`,
        hint: 'generate repeated tasks with "matrix" instead of listing them, or split the manifest',
      };
    }
    if (flowDepth > limits.maxDepth) {
      return {
        kind: 'bound',
        file,
        ...positionOf(text, offset),
        message: `YAML nesting is deeper than ${limits.maxDepth} levels`,
        hint: 'flatten the structure',
      };
    }
    if (!CONTROL_TOKENS.has(token)) offset += token.length;
  }
  return undefined;
}

function inspectNodes(doc: Document, source: SourceMap, file: string, limits: ManifestLimits) {
  const problems: Problem[] = [];
  let firstAlias: { line: number; column: number } | undefined;
  // Depth-first with exit markers, so that `open` holds the collections on the current path: an alias
  // to one of them would make the data contain itself (`a: &x {b: *x}`).
  const open = new Set<unknown>();
  const stack: Array<[unknown, number] | ['exit', unknown]> = [[doc.contents, 1]];
  while (stack.length) {
    const top = stack.pop()!;
    if (top[0] === 'exit') {
      open.delete(top[1]);
      continue;
    }
    const [node, depth] = top as [unknown, number];
    if (isAlias(node)) {
      const at = source.pos(node);
      if (
        at &&
        (!firstAlias || at.line < firstAlias.line || (at.line === firstAlias.line && at.column < firstAlias.column))
      )
        firstAlias = at;
      if (open.has(node.resolve(doc))) {
        problems.push({
          kind: 'bound',
          file,
          ...at,
          message: `the alias *${node.source} is inside the anchor &${node.source} it refers to, so the value would contain itself`,
          hint: 'an alias can only repeat a value defined outside it',
        });
        return { problems, firstAlias };
      }
      continue;
    }
    if (isScalar(node)) {
      const p = numberProblem(node.value, node.source);
      if (p) problems.push({ kind: 'schema', file, ...source.pos(node), ...p });
      continue;
    }
    if (!isCollection(node)) continue;
    if (depth > limits.maxDepth) {
      problems.push({
        kind: 'bound',
        file,
        ...source.pos(node),
        message: `YAML nesting is deeper than ${limits.maxDepth} levels`,
        hint: 'flatten the structure',
      });
      return { problems, firstAlias };
    }
    open.add(node);
    stack.push(['exit', node]);
    for (const item of node.items as unknown[]) {
      if (isPair(item)) {
        stack.push([item.value, depth + 1]);
        if (isMap(node)) stack.push([item.key, depth + 1]);
      } else {
        stack.push([item, depth + 1]);
      }
    }
  }
  return { problems, firstAlias };
}

function numberProblem(value: unknown, text: string | undefined): { message: string; hint: string } | undefined {
  if (typeof value !== 'number') return undefined;
  if (!Number.isFinite(value)) {
    return { message: `${text ?? String(value)} is not a number JSON can hold`, hint: 'quote it to make it a string' };
  }
  if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
    return {
      message: `the integer ${text ?? String(value)} is too large to be kept exactly (more than 2^53)`,
      hint: 'quote it to keep it as a string',
    };
  }
  return undefined;
}

const SYNTAX_HINTS: Record<string, string> = {
  DUPLICATE_KEY: 'a key may appear only once in a mapping; remove or rename one of them',
  MULTIPLE_DOCS: 'one manifest is one YAML document: remove the "---" separator or split the file',
  TAB_AS_INDENT: 'indent with spaces, not tabs',
  BAD_INDENT: 'check the indentation of this line against its siblings',
  MISSING_CHAR:
    'a character is missing: a closing quote or bracket, or the "- " of a list item (check the indentation)',
  BLOCK_AS_IMPLICIT_KEY: 'check the indentation and the ":" of the line above',
  MULTILINE_IMPLICIT_KEY: 'a key must fit on one line; is a ":" or a quote missing?',
  TAG_RESOLVE_FAILED: 'YAML tags are not supported in manifests; remove the tag',
  NON_STRING_KEY: 'mapping keys must be plain strings',
};

function syntaxProblem(e: YAMLError, text: string, file: string, lines: LineCounter): Problem {
  const { line, col } = lines.linePos(e.pos[0]);
  let message = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
  if (e.code === 'DUPLICATE_KEY') {
    const key = /^("(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*'|[^:#\n]*)/.exec(text.slice(e.pos[0]))?.[1].trim() ?? '';
    message = `duplicate key ${JSON.stringify(key.replace(/^["']|["']$/g, ''))}`;
  } else if (e.code === 'MULTIPLE_DOCS') {
    message = 'the manifest holds more than one YAML document';
  } else if (/call stack/i.test(message)) {
    // The parser recursed out of stack on a nesting far past any bound; say what it means.
    return {
      kind: 'bound',
      file,
      line,
      column: col,
      message: 'YAML nesting is far too deep to read',
      hint: 'flatten the structure',
    };
  }
  message = message.charAt(0).toLowerCase() + message.slice(1);
  const hint =
    e.code === 'MISSING_CHAR' && /quote/.test(message)
      ? 'a quoted string is not closed; the quote that opens it is above this place'
      : SYNTAX_HINTS[e.code];
  return { kind: 'syntax', file, line, column: col, message, hint: hint ?? 'check the YAML syntax around this place' };
}
