/**
 * The bounds checked before a document is built (building is what costs memory): block nesting from
 * indentation, then a cheap token scan that counts nodes and flow nesting, as the parser reads the
 * tokens (building stops at the first bound exceeded).
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

/**
 * The bounds of a text, checked token by token as the parser reads them (the text is lexed once): block
 * nesting from indentation first (`blockDepth`, before anything is read), then each token counted by
 * `next()` for nodes and flow nesting. A bound exceeded ends the tokens; `finish()` counts the tokens
 * the parser did not read (after a second document, or a parser failure), so the first bound exceeded
 * anywhere in the text is found, as a scan of the whole text before parsing would find it.
 */
export class TokenScan {
  /** The first bound exceeded, once one is. */
  problem: Problem | undefined;
  private readonly lexemes: Iterator<string>;
  private nodes = 0;
  private flowDepth = 0;
  private offset = 0;

  constructor(
    private readonly text: string,
    private readonly file: string,
    private readonly limits: ManifestLimits,
  ) {
    this.lexemes = new Lexer().lex(text)[Symbol.iterator]();
  }

  /** Block nesting from indentation, checked before any token is read. */
  blockDepth(): Problem | undefined {
    this.problem ??= blockDepthProblem(this.text, this.file, this.limits);
    return this.problem;
  }

  /** The next token, counted; undefined at the end of the text or once a bound is exceeded. */
  next(): string | undefined {
    if (this.problem) return undefined;
    const step = this.lexemes.next();
    if (step.done) return undefined;
    const token = step.value;
    const { text, file, limits } = this;
    const type = CST.tokenType(token);
    if (type && NODE_TOKENS.has(type)) this.nodes += 1;
    if (type === 'flow-map-start' || type === 'flow-seq-start') this.flowDepth += 1;
    else if ((type === 'flow-map-end' || type === 'flow-seq-end') && this.flowDepth > 0) this.flowDepth -= 1;
    if (this.nodes > limits.maxNodes) {
      this.problem = {
        kind: 'bound',
        file,
        ...positionOf(text, this.offset),
        message: `the manifest has more than ${limits.maxNodes.toLocaleString('en-US')} YAML nodes`,
        hint: 'generate repeated tasks with "matrix" instead of listing them, or split the manifest',
      };
      return undefined;
    }
    if (this.flowDepth > limits.maxDepth) {
      this.problem = nestingProblem(file, limits.maxDepth, positionOf(text, this.offset));
      return undefined;
    }
    if (!CONTROL_TOKENS.has(token)) this.offset += token.length;
    return token;
  }

  /** Counts the tokens not read yet; the first bound exceeded in the whole text, if any. */
  finish(): Problem | undefined {
    while (this.next() !== undefined);
    return this.problem;
  }
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
