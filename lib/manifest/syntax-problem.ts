/** A YAML parser error → a located problem in the manifest's words, with a hint for the usual mistakes. */
import type { LineCounter, YAMLError } from 'yaml';
import type { Problem } from './types.js';

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

/** The problem of one parser error or warning. */
export function syntaxProblem(e: YAMLError, text: string, file: string, lines: LineCounter): Problem {
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
