/**
 * A template split once into its static part and its dynamic pieces, so that each render hands json-e
 * only what can change (a `${…}` string, an operator, an object with computed keys) in one batch, and
 * shares the static part. json-e renders a static value to an equal value, so the result is the same
 * as rendering the whole template; it is just cheaper (a task detail is mostly static).
 */
import type { PathSegment } from './errors.js';
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
}

/** Marks a piece that json-e deleted (so its key or list item is left out, as json-e would). */
export const DELETED = Symbol('deleted');

/** Splits a template into static skeleton and dynamic pieces. */
export function prepareTemplate(template: unknown): PreparedTemplate {
  const pieces: Piece[] = [];
  const memo = new Map<unknown, boolean>();
  const skeleton = split(template, [], pieces, memo);
  return { skeleton, pieces, batch: pieces.map((p) => ({ v: p.template })) };
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
  if (isStatic(node, memo)) return node;
  if (Array.isArray(node)) return new SkelArray(node.map((item, i) => split(item, [...path, i], pieces, memo)));
  if (isPlainObject(node) && Object.keys(node).every(plainKey)) {
    return new SkelObject(Object.keys(node).map((k) => [k, split(node[k], [...path, k], pieces, memo)]));
  }
  pieces.push({ path, template: node });
  return new PieceRef(pieces.length - 1);
}
