/**
 * The bounds checked before a document is built (building is what costs memory): block nesting from
 * indentation, then a cheap token scan that counts nodes and flow nesting.
 */
import { CST, Lexer } from 'yaml';
import { positionOf } from './decode.js';
import type { Position } from './locate.js';
import type { ManifestLimits, Problem } from './types.js';

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

/** Counts nodes and flow nesting from tokens, stopping at the first bound exceeded. */
export function prescan(text: string, file: string, limits: ManifestLimits): Problem | undefined {
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
    if (flowDepth > limits.maxDepth) return nestingProblem(file, limits.maxDepth, positionOf(text, offset));
    if (!CONTROL_TOKENS.has(token)) offset += token.length;
  }
  return undefined;
}

/** The problem of nesting deeper than `maxDepth`, at `at` (the document's start when unknown). */
export function nestingProblem(file: string, maxDepth: number, at: Position | undefined): Problem {
  return {
    kind: 'bound',
    file,
    ...at,
    message: `YAML nesting is deeper than ${maxDepth} levels`,
    hint: 'flatten the structure',
  };
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
  let first: Position | undefined;
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
    if (indents.length > guard) return nestingProblem(file, limits.maxDepth, first);
  }
  return undefined;
}
