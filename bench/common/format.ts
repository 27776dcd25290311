/** Plain-text tables (GitHub markdown, aligned so they also read well in a terminal) and number formats. */

export type Cell = string | number | undefined;

/** A markdown table with padded columns; numbers are right-aligned. */
export function table(headers: string[], rows: Cell[][]): string {
  const text = rows.map((r) => headers.map((_, i) => cellText(r[i])));
  const numeric = headers.map((_, i) =>
    rows.every(
      (r) =>
        r[i] === undefined ||
        r[i] === '–' ||
        typeof r[i] === 'number' ||
        /^[-+~≈]?[\d.,]+\s*[%×a-zA-Zµ/]*$/.test(String(r[i])),
    ),
  );
  const width = headers.map((h, i) => Math.max(h.length, ...text.map((r) => r[i].length)));
  const pad = (s: string, i: number) => (numeric[i] ? s.padStart(width[i]) : s.padEnd(width[i]));
  const line = (cells: string[]) => `| ${cells.map(pad).join(' | ')} |`;
  const rule = `|${width.map((w, i) => (numeric[i] ? `${'-'.repeat(w + 1)}:` : `${'-'.repeat(w + 2)}`)).join('|')}|`;
  return [line(headers), rule, ...text.map(line)].join('\n');
}

function cellText(v: Cell): string {
  if (v === undefined) return '–';
  return typeof v === 'number' ? fmt(v) : v;
}

/** A number with a sensible number of digits. */
export function fmt(n: number, digits?: number): string {
  if (!Number.isFinite(n)) return String(n);
  const d = digits ?? (Number.isInteger(n) || Math.abs(n) >= 100 ? 0 : Math.abs(n) >= 10 ? 1 : 2);
  return n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}

/** A ratio such as 0.93. */
export const ratio = (n: number): string => (Number.isFinite(n) ? n.toFixed(2) : '–');

/** A percentage with one decimal. */
export const pct = (part: number, whole: number): string => (whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : '–');

/** Bytes as KB/MB (powers of 1024). */
export function bytes(n: number): string {
  if (n >= 1024 * 1024) return `${fmt(n / 1024 / 1024, 1)} MB`;
  if (n >= 1024) return `${fmt(n / 1024, 1)} KB`;
  return `${n} B`;
}

/** Milliseconds as seconds with one decimal. */
export const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** The p-th percentile (0..100), nearest rank. */
export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** A heading and a table, printed to stdout as the bench goes. */
export function printSection(title: string, body: string, notes: string[] = []): void {
  process.stdout.write(
    `\n### ${title}\n\n${body}\n${notes.length ? `\n${notes.map((n) => `- ${n}`).join('\n')}\n` : ''}`,
  );
}

/** Progress of a bench on stderr, apart from the tables on stdout. */
export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}
