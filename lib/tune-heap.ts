/**
 * Garbage-collector tuning for a batch run. V8 lets the old generation grow to up to 4× what survived
 * the last full collection. A run's garbage (rendered details, request bodies, got's per-request
 * objects) lives as long as its request is in flight, so much of it is promoted, and a 10,000-task
 * `apply` peaked at ~250 MB RSS for ~30 MB of live data. Growing the heap by 1.5× instead keeps that
 * run at ~160 MB at the same speed (docs/PERFORMANCE.md §3). V8 reads this setting at every full
 * collection, so setting it once at start-up is enough.
 *
 * Node does not accept this V8 flag in NODE_OPTIONS, so the setting is FDI_HEAP_GROWING_PERCENT
 * (0 keeps V8's own heuristics); `node --heap-growing-percent=N` on the command line also wins.
 */
import v8 from 'node:v8';

const DEFAULT_PERCENT = 50;

/** The V8 flag to set, or undefined to leave V8's heuristics alone. */
export function heapGrowingFlag(execArgv: readonly string[], env: Record<string, string | undefined>): string | undefined {
  if (execArgv.some((arg) => /heap[-_]growing[-_]percent/.test(arg))) return undefined;
  const raw = env.FDI_HEAP_GROWING_PERCENT?.trim();
  const percent = raw && /^\d{1,4}$/.test(raw) ? Number(raw) : DEFAULT_PERCENT;
  return percent === 0 ? undefined : `--heap-growing-percent=${percent}`;
}

export function tuneHeapForBatch(): void {
  const flag = heapGrowingFlag(process.execArgv, process.env);
  if (flag) v8.setFlagsFromString(flag);
}
