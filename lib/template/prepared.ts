/**
 * A template split once into its static part and its dynamic pieces, so that each render hands json-e
 * only what can change (a `${…}` string, an operator, an object with computed keys) in one batch, and
 * shares the static part. json-e renders a static value to an equal value, so the result is the same
 * as rendering the whole template; it is just cheaper (a task detail is mostly static).
 */
import type { PathSegment } from './errors.js';
import { type Interpolation, simpleInterpolation } from './interpolate.js';
import { shareJson } from './json.js';
import { jsonLengthWithin } from './measure.js';
import { defineOwn, isPlainObject } from './merge.js';

class PieceRef {
  constructor(readonly index: number) {}
}
class SkelArray {
  constructor(readonly items: Skeleton[]) {}
}
class SkelObject {
  constructor(readonly entries: Array<[string, Skeleton]>) {}
}
type Skeleton = PieceRef | SkelArray | SkelObject | unknown;

/** What renders differently per task, and where it sits. */
export interface Piece {
  path: PathSegment[];
  template: unknown;
}

export interface PreparedTemplate {
  readonly skeleton: Skeleton;
  readonly pieces: readonly Piece[];
  /** `[{v: piece0}, {v: piece1}, …]`: one json-e call renders every piece; a piece json-e deletes ($if without else) loses its `v`. */
  readonly batch: ReadonlyArray<{ v: unknown }>;
  /** Per piece, its parts when it is a plain `${variable}` string (substituted without json-e), else undefined. */
  readonly simple: ReadonlyArray<Interpolation | undefined>;
  /** The batch of the other pieces, and the index of each in `pieces`. */
  readonly complexBatch: ReadonlyArray<{ v: unknown }>;
  readonly complexIndex: readonly number[];
  /** Approximate serialised length of the static part (pieces count 0), for the output bound. */
  readonly staticLength: number;
}

/** Marks a piece that json-e deleted (so its key or list item is left out, as json-e would). */
export const DELETED = Symbol('deleted');

/** Splits a template into static skeleton and dynamic pieces. */
export function prepareTemplate(template: unknown): PreparedTemplate {
  const pieces: Piece[] = [];
  const memo = new Map<unknown, boolean>();
  const skeleton = split(template, [], pieces, memo);
  const simple = pieces.map((p) => (typeof p.template === 'string' ? simpleInterpolation(p.template) : undefined));
  const complexIndex = pieces.map((_, i) => i).filter((i) => !simple[i]);
  return {
    skeleton,
    pieces,
    batch: pieces.map((p) => ({ v: p.template })),
    simple,
    complexBatch: complexIndex.map((i) => ({ v: pieces[i].template })),
    complexIndex,
    staticLength: skeletonLength(skeleton),
  };
}

/** jsonLengthWithin of the skeleton with every piece left out. */
function skeletonLength(node: Skeleton): number {
  if (node instanceof PieceRef) return 0;
  if (node instanceof SkelArray) return node.items.reduce<number>((n, item) => n + 1 + skeletonLength(item), 2);
  if (node instanceof SkelObject)
    return node.entries.reduce<number>((n, [key, child]) => n + key.length + 4 + skeletonLength(child), 2);
  return jsonLengthWithin(node, Number.MAX_SAFE_INTEGER);
}

/** Puts rendered pieces (in batch order; DELETED for deleted ones) back into the skeleton. */
export function assemble(prepared: PreparedTemplate, rendered: readonly unknown[]): unknown {
  const value = fill(prepared.skeleton, rendered);
  return value === DELETED ? null : value;
}

function fill(node: Skeleton, rendered: readonly unknown[]): unknown {
  if (node instanceof PieceRef) return rendered[node.index];
  if (node instanceof SkelArray) return node.items.map((i) => fill(i, rendered)).filter((v) => v !== DELETED);
  if (node instanceof SkelObject) {
    const out: Record<string, unknown> = {};
    for (const [key, child] of node.entries) {
      const v = fill(child, rendered);
      if (v !== DELETED) defineOwn(out, key, v);
    }
    return out;
  }
  return node;
}

const plainKey = (k: string): boolean => !k.startsWith('$') && !k.includes('${');

function isStatic(v: unknown, memo: Map<unknown, boolean>): boolean {
  if (typeof v === 'string') return !v.includes('${');
  if (typeof v !== 'object' || v === null) return true;
  const known = memo.get(v);
  if (known !== undefined) return known;
  memo.set(v, false); // a cycle cannot come from YAML; be safe anyway
  const result = Array.isArray(v)
    ? v.every((x) => isStatic(x, memo))
    : Object.keys(v).every((k) => plainKey(k) && isStatic((v as Record<string, unknown>)[k], memo));
  memo.set(v, result);
  return result;
}

function split(node: unknown, path: PathSegment[], pieces: Piece[], memo: Map<unknown, boolean>): Skeleton {
  if (isStatic(node, memo)) {
    // Every render shares this value as is, so its JSON text can be made once.
    if (typeof node === 'object' && node !== null) shareJson(node);
    return node;
  }
  if (Array.isArray(node)) return new SkelArray(node.map((item, i) => split(item, [...path, i], pieces, memo)));
  if (isPlainObject(node) && Object.keys(node).every(plainKey)) {
    return new SkelObject(Object.keys(node).map((k) => [k, split(node[k], [...path, k], pieces, memo)]));
  }
  pieces.push({ path, template: node });
  return new PieceRef(pieces.length - 1);
}
