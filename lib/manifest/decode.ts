/**
 * Bytes → text: the size bound, UTF-8 (a UTF-8 byte order mark is dropped; UTF-16/32 are refused),
 * and characters YAML does not allow (NUL bytes mean a binary file).
 */
import type { Problem } from './types.js';

export type Decoded = { ok: true; text: string } | { ok: false; problem: Problem };

// YAML 1.2 allows TAB, LF, CR and NEL among the control characters; nothing else.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const FORBIDDEN_CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u0084\u0086-\u009F]/;

/** Decodes a manifest and checks its size and characters. */
export function decodeManifest(input: string | Uint8Array, file: string, maxBytes: number): Decoded {
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
  if (size > maxBytes) return { ok: false, problem: sizeProblem(size, maxBytes, file) };
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else {
    const wide = utf16or32(input);
    if (wide) {
      return fail(file, `the manifest is ${wide} text; only UTF-8 is accepted`, {
        kind: 'encoding',
        line: 1,
        column: 1,
        hint: 'save it as UTF-8',
      });
    }
    const decoded = decodeUtf8(input, file);
    if (!decoded.ok) return decoded;
    text = decoded.text;
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const control = FORBIDDEN_CONTROL.exec(text);
  if (control) {
    const { line, column } = positionOf(text, control.index);
    const code = control[0].charCodeAt(0);
    if (code === 0) {
      return fail(file, 'the manifest holds a NUL byte: it looks like a binary file, not YAML text', {
        kind: 'encoding',
        line,
        column,
        hint: 'a manifest is a UTF-8 YAML text file',
      });
    }
    const name = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
    return fail(file, `control character ${name} is not allowed in YAML text`, {
      kind: 'encoding',
      line,
      column,
      hint: `remove it, or write it as the escape "\\u${name.slice(2)}" inside a double-quoted string`,
    });
  }
  return { ok: true, text };
}

function decodeUtf8(bytes: Uint8Array, file: string): Decoded {
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    // Find the first invalid sequence: the first U+FFFD of a lenient decoding that the input did not spell out.
    const loose = new TextDecoder('utf-8').decode(bytes);
    let at = loose.indexOf('\uFFFD');
    while (at >= 0) {
      const offset = Buffer.byteLength(loose.slice(0, at), 'utf8');
      if (!(bytes[offset] === 0xef && bytes[offset + 1] === 0xbf && bytes[offset + 2] === 0xbd)) {
        const { line, column } = positionOf(loose, at);
        const byte = bytes[offset].toString(16).toUpperCase().padStart(2, '0');
        return fail(file, `the manifest is not valid UTF-8 (byte 0x${byte} at offset ${offset})`, {
          kind: 'encoding',
          line,
          column,
          hint: 'save it as UTF-8; a binary or compressed file cannot be a manifest',
        });
      }
      at = loose.indexOf('\uFFFD', at + 1);
    }
    return fail(file, 'the manifest is not valid UTF-8', { kind: 'encoding', hint: 'save it as UTF-8' });
  }
}

function utf16or32(b: Uint8Array): string | undefined {
  if (b[0] === 0x00 && b[1] === 0x00 && b[2] === 0xfe && b[3] === 0xff) return 'UTF-32';
  if (b[0] === 0xff && b[1] === 0xfe && b[2] === 0x00 && b[3] === 0x00) return 'UTF-32';
  if ((b[0] === 0xfe && b[1] === 0xff) || (b[0] === 0xff && b[1] === 0xfe)) return 'UTF-16';
  return undefined;
}

/** The problem of a manifest over the size bound (also used by readers that refuse before reading). */
export function sizeProblem(size: number, maxBytes: number, file: string): Problem {
  return {
    kind: 'bound',
    file,
    message: `the manifest is ${formatBytes(size)}; at most ${formatBytes(maxBytes)} are accepted`,
    hint: 'split it into several manifests (the tasks of one instance per file is a natural cut)',
  };
}

/** 1-based line and column of a character index. */
export function positionOf(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) {
    line += 1;
    start = i + 1;
  }
  return { line, column: index - start + 1 };
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(n % (1024 * 1024) === 0 ? 0 : 1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(n % 1024 === 0 ? 0 : 1)} KiB`;
  return `${n} bytes`;
}

function fail(file: string, message: string, rest: Omit<Problem, 'file' | 'message'>): Decoded {
  return { ok: false, problem: { message, file, ...rest } };
}
