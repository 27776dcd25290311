/**
 * Problems: building, collecting (identical ones once per task entry) and formatting, and how their
 * messages show a path, a value and user text.
 */
import { formatLocation } from '../errors.js';
import type { PathSegment } from './locate.js';
import type { Problem } from './types.js';

/** `file:line:col: task #3 "crm-x": message` and, when there is one, a `  hint: …` line. */
export function formatProblem(p: Problem): string {
  const where = formatLocation(p);
  const task =
    p.taskIndex !== undefined ? `task #${p.taskIndex}${p.taskName !== undefined ? ` ${quote(p.taskName)}` : ''}: ` : '';
  const repeats = p.repeats ? ` (the same in ${p.repeats} more task${p.repeats === 1 ? '' : 's'} of this entry)` : '';
  const hint = p.hint ? `\n  hint: ${p.hint}` : '';
  return `${where}: ${task}${p.message}${repeats}${hint}`;
}

/** Quotes user text for a message: JSON string syntax, so control characters show as escapes. */
export function quote(text: string, max = 120): string {
  const short = text.length > max ? `${text.slice(0, max)}…` : text;
  // JSON escapes control characters; bidi overrides and zero-width characters would still reorder or
  // hide text in a terminal, so they are shown as escapes too.
  return JSON.stringify(short).replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const INVISIBLE = /[\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/g;

/** `tasks[3].schedule` for a path; the manifest's top level for an empty one. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** A short description of a value for messages: its type, or the value itself when short. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return String(v);
}

/**
 * Collects problems. A problem of an expanded task that is identical (same entry, place and message)
 * to an earlier one is counted in that one's `repeats` instead of being listed again: a broken template
 * used by 500 tasks is one problem, not 500.
 */
export class ProblemList {
  private readonly items: Problem[] = [];
  private readonly byKey = new Map<string, Problem>();

  add(problem: Problem, entryIndex?: number): void {
    if (entryIndex === undefined) {
      this.items.push(problem);
      return;
    }
    // The task's own name (its values) aside: "name "crm A1" must …" and "name "crm A2" must …" are
    // the same mistake, made once in the entry.
    const message = problem.taskName ? problem.message.split(problem.taskName).join('\u0001') : problem.message;
    const key = [entryIndex, problem.kind, problem.field, problem.line, problem.column, message].join('\u0000');
    const first = this.byKey.get(key);
    if (first) {
      first.repeats = (first.repeats ?? 0) + 1;
      return;
    }
    this.byKey.set(key, problem);
    this.items.push(problem);
  }

  get size(): number {
    return this.items.length;
  }

  /** In the order found, sorted by line within a stage by the caller if it wants. */
  list(): Problem[] {
    return this.items;
  }
}
