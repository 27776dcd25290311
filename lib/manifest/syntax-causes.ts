/**
 * The parser's errors → the mistakes that caused them, one problem each, at the line that holds the
 * mistake. A key indented one column too far makes the YAML parser read it as the continuation of the
 * value above and complain there ("nested mappings are not allowed in compact mappings", "implicit
 * keys need to be on a single line"); one indented too little, or a tab, sets off a train of
 * follow-on errors. Those are replaced by what the user has to change; anything else is translated
 * one by one (syntax-problem.ts).
 */
import type { LineCounter, YAMLError } from 'yaml';
import { syntaxProblem } from './syntax-problem.js';
import type { Problem } from './types.js';

/** Errors a wrongly indented line sets off on itself or on the line above it. */
const INDENT_ECHOES = new Set(['BLOCK_AS_IMPLICIT_KEY', 'MULTILINE_IMPLICIT_KEY', 'BAD_INDENT']);

interface Line {
  /** 1-based. */
  number: number;
  indent: number;
  /** The key the line starts (after a "- "), if it starts one. */
  key?: string | undefined;
  /** Where that key starts (0-based). */
  keyIndent: number;
}

export function syntaxCauses(errors: readonly YAMLError[], text: string, file: string, lines: LineCounter): Problem[] {
  const lineOf = (e: YAMLError) => lines.linePos(e.pos[0]).line;
  const tabs = errors.filter((e) => e.code === 'TAB_AS_INDENT');
  // A tab is the cause of everything after it: the rest is the parser losing its way.
  if (tabs.length) return [...new Map(tabs.map((e) => [lineOf(e), tabProblem(lineOf(e), file)])).values()];

  const source = text.split('\n').map((raw, i) => describeLine(raw, i + 1));
  const problems = new Map<number, Problem>();
  const explained = new Set<number>();
  for (const e of errors) {
    const line = lineOf(e);
    if (INDENT_ECHOES.has(e.code) || /sequence item without - indicator/i.test(e.message)) {
      const cause = indentCause(source, line, file);
      if (cause) {
        explained.add(line);
        if (cause.line !== undefined && !problems.has(cause.line)) problems.set(cause.line, cause);
        continue;
      }
    }
    if (explained.has(line)) continue;
    problems.set(-problems.size - 1 - line * 1e6, syntaxProblem(e, text, file, lines));
  }
  return [...problems.values()];
}

function tabProblem(line: number, file: string): Problem {
  return {
    kind: 'syntax',
    file,
    line,
    column: 1,
    message: 'a tab indents this line; YAML indents with spaces only',
    hint: 'replace the tab with spaces, as many as the lines around it use',
  };
}

function describeLine(raw: string, number: number): Line | undefined {
  if (/^\s*(#|$)/.test(raw)) return undefined;
  const indent = raw.length - raw.trimStart().length;
  const item = /^(\s*-\s+)/.exec(raw);
  const keyIndent = item ? item[1].length : indent;
  const key = /^([A-Za-z0-9_$][\w$.-]*)\s*:(\s|$)/.exec(raw.slice(keyIndent))?.[1];
  return { number, indent, key, keyIndent };
}

/**
 * The wrongly indented key behind an indentation error reported at `at`: the line itself when it is
 * indented less than the key above it, else the next line when that is indented deeper than this one's
 * key (the parser then complains here, at the line above the mistake).
 */
function indentCause(source: ReadonlyArray<Line | undefined>, at: number, file: string): Problem | undefined {
  const here = source[at - 1];
  if (here?.key === undefined) return undefined;
  const sibling = siblingColumn(source, here);
  if (sibling !== undefined) {
    return {
      kind: 'syntax',
      file,
      line: here.number,
      column: here.keyIndent + 1,
      message: `"${here.key}" is indented to column ${here.keyIndent + 1}; the keys around it start at column ${sibling + 1}`,
      hint: `move "${here.key}" to column ${sibling + 1}, like the keys of its mapping`,
    };
  }
  const next = source.slice(at).find((l) => l !== undefined);
  if (next?.key !== undefined && next.indent > here.keyIndent && next.indent > here.indent) {
    return {
      kind: 'syntax',
      file,
      line: next.number,
      column: next.indent + 1,
      message: `"${next.key}" is indented to column ${next.indent + 1}, deeper than "${here.key}" on line ${here.number} (column ${here.keyIndent + 1})`,
      hint: `keys of one mapping start in the same column: move "${next.key}" to column ${here.keyIndent + 1}, or give "${here.key}" a value that holds it`,
    };
  }
  return undefined;
}

/** The column where the keys of the mapping a wrongly indented line sits in start: the nearest key line above that is not shallower. */
function siblingColumn(source: ReadonlyArray<Line | undefined>, line: Line): number | undefined {
  for (let i = line.number - 2; i >= 0; i--) {
    const above = source[i];
    if (above?.key === undefined) continue;
    // A key above that is deeper: this line is indented too little for the mapping it continues.
    return above.keyIndent > line.keyIndent ? above.keyIndent : undefined;
  }
  return undefined;
}
