/** The one escape of report.html: every value the renderer puts into its markup goes through here. Pure. */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or an attribute value (always double-quoted in the page) as HTML. */
export function esc(value: string | number | boolean | undefined | null): string {
  if (value === undefined || value === null) return '';
  return String(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * JSON safe inside `<script type="application/json">`: `<`, `>` and `&` become `\u003c`, `\u003e` and
 * `\u0026` (so no `</script>` or `<!--` can end or change the element), and U+2028/U+2029 their
 * escapes too (old parsers treat them as line ends). These characters only occur inside JSON strings,
 * where the escapes mean the same characters.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
