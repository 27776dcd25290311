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

/** The V8 flag to set (undefined: leave V8's heuristics alone), and what is wrong with the setting if anything. */
export function heapGrowingFlag(
  execArgv: readonly string[],
  env: Record<string, string | undefined>,
): { flag?: string; warning?: string } {
  if (execArgv.some((arg) => /heap[-_]growing[-_]percent/.test(arg))) return {};
  const raw = env.FDI_HEAP_GROWING_PERCENT?.trim();
  const valid = !raw || /^\d{1,4}$/.test(raw);
  const percent = raw && valid ? Number(raw) : DEFAULT_PERCENT;
  return {
    ...(percent === 0 ? {} : { flag: `--heap-growing-percent=${percent}` }),
    ...(valid
      ? {}
      : {
          warning: `FDI_HEAP_GROWING_PERCENT=${JSON.stringify(raw)} is not a whole number of percent (0–9999); using ${DEFAULT_PERCENT}`,
        }),
  };
}

export function tuneHeapForBatch(): void {
  const { flag, warning } = heapGrowingFlag(process.execArgv, process.env);
  if (warning) process.stderr.write(`warning: ${warning}\n`);
  if (flag) v8.setFlagsFromString(flag);
}
