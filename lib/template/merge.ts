/**
 * Deep merge of template data: objects merge key by key (keys keep their first position), arrays and
 * scalars replace. Objects that are json-e operators (a key starting with "$") replace too: merging
 * into an operator would make a different operator. Keys are defined, never assigned, so "__proto__"
 * stays an ordinary key.
 */

export type JsonObject = Record<string, unknown>;

/** An object that is not a list (and not null). */
export function isPlainObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Whether `o` is an object with an own property `key` (`__proto__` included; never one it inherits). */
export function hasOwnKey(o: unknown, key: string): boolean {
  return typeof o === 'object' && o !== null && Object.prototype.hasOwnProperty.call(o, key);
}

/** True for an object with a json-e operator key (`$eval`, `$map`, …; `$$x` is an escaped literal key). */
export function isOperator(v: unknown): boolean {
  return isPlainObject(v) && Object.keys(v).some((k) => k.startsWith('$') && !k.startsWith('$$'));
}

/**
 * Sets an own enumerable property, whatever the key. Assignment is the same for every key but
 * "__proto__", the one accessor on Object.prototype, which gets defined instead (defining every key
 * costs ~2 µs each on the render path).
 */
export function defineOwn(obj: JsonObject, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  else obj[key] = value;
}

/** `over` merged into `base` (neither is changed). */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over) || isOperator(base) || isOperator(over)) return over;
  const out: JsonObject = {};
  for (const key of Object.keys(base)) defineOwn(out, key, base[key]);
  for (const key of Object.keys(over)) {
    defineOwn(out, key, Object.prototype.hasOwnProperty.call(base, key) ? deepMerge(base[key], over[key]) : over[key]);
  }
  return out;
}

/** Shallow merge of several maps in order (later wins), without prototype surprises. */
export function shallowMerge(...maps: Array<JsonObject | undefined>): JsonObject {
  const out: JsonObject = {};
  for (const m of maps) if (m) for (const key of Object.keys(m)) defineOwn(out, key, m[key]);
  return out;
}

/** Whether a value holds a json-e operator anywhere (walks at most `budget` nodes; aliases may share nodes). */
export function usesOperators(value: unknown, budget = 1_000_000): boolean {
  const stack: unknown[] = [value];
  const seen = new Set<unknown>();
  while (stack.length && budget-- > 0) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null || seen.has(v)) continue;
    seen.add(v);
    if (isOperator(v)) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push(child);
  }
  return budget <= 0;
}
