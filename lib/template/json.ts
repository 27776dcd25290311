/**
 * `JSON.stringify` for rendered templates that reuses the text of their static parts. A rendered task
 * detail is mostly the template's static subtrees, shared as is by every task (see prepared.ts); their
 * JSON is made once, and each render serialises only what changed around them. The output is exactly
 * `JSON.stringify(value)`'s.
 */

/** JSON text of values shared by every render. Keys are template values, which nothing changes. */
const shared = new WeakMap<object, string>();

/** Records the JSON text of a value that renders will share unchanged. */
export function shareJson(value: object): void {
  if (!shared.has(value)) shared.set(value, JSON.stringify(value));
}

/** `JSON.stringify(value)`, with the text of shared values reused. */
export function stringifyJson(value: unknown): string {
  return serialise(value) ?? 'null';
}

/** The JSON text, or undefined where JSON.stringify leaves a value out (undefined, a function). */
function serialise(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  const known = shared.get(value);
  if (known !== undefined) return known;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + (serialise(value[i]) ?? 'null');
    return `${out}]`;
  }
  let out = '{';
  let first = true;
  for (const key of Object.keys(value)) {
    const text = serialise((value as Record<string, unknown>)[key]);
    if (text === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${text}`;
    first = false;
  }
  return `${out}}`;
}
