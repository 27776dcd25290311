/** Default bounds of a manifest (docs/MANIFEST.md, "Bounds"). */
import type { ManifestLimits } from './types.js';

const MiB = 1024 * 1024;

/** The defaults; `compileManifest` accepts overrides of any of them. */
export const DEFAULT_LIMITS: ManifestLimits = Object.freeze({
  maxBytes: 4 * MiB,
  maxAliases: 1_000,
  maxDepth: 64,
  maxNodes: 200_000,
  maxTasks: 10_000,
  maxDetailBytes: 1 * MiB,
  maxRangeLength: 10_000,
  maxRenderMs: 1_000,
  maxTotalRenderMs: 20_000,
});

/** The defaults with the given overrides applied (undefined overrides are ignored). */
export function resolveLimits(overrides?: Partial<ManifestLimits>): ManifestLimits {
  const out = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(overrides ?? {})) {
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) (out as Record<string, number>)[key] = value;
  }
  return out;
}
