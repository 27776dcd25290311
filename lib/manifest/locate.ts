/**
 * Paths → source positions. A path is a list of keys and indexes into the document; the position is
 * that of the deepest node the path reaches (the key itself when asked), so a problem about something
 * that is not in the source (it came from a merge, or is missing) still points at the closest place.
 */
import { type Document, type LineCounter, type Node, isAlias, isMap, isNode, isPair, isScalar, isSeq } from 'yaml';

export type PathSegment = string | number;

export interface Position {
  line: number;
  column: number;
}

export interface Located extends Position {
  /** True when the whole path was found. */
  exact: boolean;
}

/** Operator keys of json-e under which a template continues (searched when a path step is not found). */
const TEMPLATE_CHILD = /^(\$[A-Za-z]+|each\(.*\)|then|else|in|by\(.*\))$/;

/** Positions of nodes of one parsed document. */
export class SourceMap {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** The position of `path` (or of its deepest existing prefix); `key: true` points at the last key, not its value. */
  locate(path: readonly PathSegment[], opts: { key?: boolean; intoTemplates?: boolean } = {}): Located {
    let node: unknown = this.doc.contents;
    let pos = this.pos(node) ?? { line: 1, column: 1 };
    for (let i = 0; i < path.length; i++) {
      const last = i === path.length - 1;
      const step = this.step(node, path[i], opts.intoTemplates === true);
      if (!step) return { ...pos, exact: false };
      const keyPos = step.key ? this.pos(step.key) : undefined;
      if (last && opts.key && keyPos) return { ...keyPos, exact: true };
      node = step.value;
      pos = this.pos(node) ?? keyPos ?? pos;
    }
    return { ...pos, exact: true };
  }

  /** Position of a node's first character. */
  pos(node: unknown): Position | undefined {
    if (!isNode(node) || !node.range) return undefined;
    const { line, col } = this.lines.linePos(node.range[0]);
    return { line, column: col };
  }

  /** The keys of the mapping at `path`, in source order (for "did you mean"). */
  keysAt(path: readonly PathSegment[]): string[] {
    let node: unknown = this.doc.contents;
    for (const seg of path) {
      const step = this.step(node, seg, false);
      if (!step) return [];
      node = step.value;
    }
    node = this.deref(node);
    return isMap(node) ? node.items.map((p) => String(isScalar(p.key) ? p.key.value : p.key)) : [];
  }

  private deref(node: unknown): unknown {
    let n = node;
    for (let hops = 0; isAlias(n) && hops < 32; hops++) n = n.resolve(this.doc);
    return n;
  }

  private step(node: unknown, seg: PathSegment, intoTemplates: boolean): { key?: Node; value: unknown } | undefined {
    const n = this.deref(node);
    if (isSeq(n) && typeof seg === 'number') {
      return seg >= 0 && seg < n.items.length ? { value: n.items[seg] } : undefined;
    }
    if (!isMap(n)) return undefined;
    const wanted = String(seg);
    for (const pair of n.items) {
      if (!isPair(pair)) continue;
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (key === wanted) return { key: pair.key as Node, value: pair.value ?? pair.key };
    }
    // `<<` merge keys and json-e operators keep the path going one level down.
    for (const pair of n.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      if (key !== '<<' && !(intoTemplates && TEMPLATE_CHILD.test(key))) continue;
      const values = isSeq(this.deref(pair.value))
        ? (this.deref(pair.value) as { items: unknown[] }).items
        : [pair.value];
      for (const v of values) {
        const found = this.step(v, seg, intoTemplates);
        if (found) return found;
      }
    }
    return undefined;
  }
}
