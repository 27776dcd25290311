/**
 * The built document, checked before it becomes data: collection nesting, numbers JSON cannot hold
 * exactly, and aliases to a collection that contains them (the data would contain itself).
 */
import { type Alias, type Document, isAlias, isCollection, isMap, isPair, isScalar } from 'yaml';
import type { Position, SourceMap } from './locate.js';
import { nestingProblem } from './prescan.js';
import type { ManifestLimits, Problem } from './types.js';

/** A node to visit at a depth, or the marker that the walk has left a collection. */
type Step = [node: unknown, depth: number] | ['exit', unknown];

/** The document's problems (a bound stops the walk), and the first alias in it, to point at if aliases expand too much. */
export function inspectNodes(
  doc: Document,
  source: SourceMap,
  file: string,
  limits: ManifestLimits,
): { problems: Problem[]; firstAlias: Position | undefined } {
  const problems: Problem[] = [];
  let firstAlias: Position | undefined;
  // Depth-first with exit markers, so that `open` holds the collections on the current path: an alias
  // to one of them would make the data contain itself (`a: &x {b: *x}`).
  const open = new Set<unknown>();
  const stack: Step[] = [[doc.contents, 1]];
  while (stack.length) {
    const top = stack.pop()!;
    if (top[0] === 'exit') {
      open.delete(top[1]);
      continue;
    }
    const [node, depth] = top as [unknown, number];
    if (isAlias(node)) {
      const at = source.pos(node);
      firstAlias = earlier(at, firstAlias);
      if (!open.has(node.resolve(doc))) continue;
      problems.push(selfReferenceProblem(node, at, file));
      return { problems, firstAlias };
    }
    if (isScalar(node)) {
      const p = numberProblem(node.value, node.source);
      if (p) problems.push({ kind: 'schema', file, ...source.pos(node), ...p });
      continue;
    }
    if (!isCollection(node)) continue;
    if (depth > limits.maxDepth) {
      problems.push(nestingProblem(file, limits.maxDepth, source.pos(node)));
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

/** `at` when it comes before `first` in the text (or there is no `first` yet); else `first`. */
function earlier(at: Position | undefined, first: Position | undefined): Position | undefined {
  if (!at) return first;
  if (!first || at.line < first.line || (at.line === first.line && at.column < first.column)) return at;
  return first;
}

function selfReferenceProblem(alias: Alias, at: Position | undefined, file: string): Problem {
  return {
    kind: 'bound',
    file,
    ...at,
    message: `the alias *${alias.source} is inside the anchor &${alias.source} it refers to, so the value would contain itself`,
    hint: 'an alias can only repeat a value defined outside it',
  };
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
