/** Size of a JSON value without serialising it, stopping as soon as a bound is passed (safe on shared subtrees). */

/** Approximate serialised length of `value` in characters, or `Infinity` once it passes `max`. */
export function jsonLengthWithin(value: unknown, max: number): number {
  let total = 0;
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') total += v.length + 2;
    else if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) total += 5;
    else if (Array.isArray(v)) {
      total += 2 + v.length;
      if (total > max) return Infinity;
      for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
    } else if (typeof v === 'object') {
      const keys = Object.keys(v);
      total += 2;
      for (const k of keys) {
        total += k.length + 4;
        stack.push((v as Record<string, unknown>)[k]);
      }
    }
    if (total > max) return Infinity;
  }
  return total;
}
