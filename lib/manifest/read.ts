/**
 * A manifest as read from its source. Reading is I/O and lives in lib/storage/manifest-reader.ts; here
 * is only what the language needs: bytes (or just the size, when the reader refused a file over the
 * bound) → compiled manifest or problems.
 */
import { compileManifest } from './compile.js';
import { sizeProblem } from './decode.js';
import { resolveLimits } from './limits.js';
import type { CompiledManifest, ManifestLimits, Problem } from './types.js';

/** A manifest's bytes, or only its size when it is larger than the reader was allowed to read. */
export interface ManifestSource {
  uri: string;
  size: number;
  body?: Uint8Array | undefined;
  etag?: string | undefined;
}

/** Compiles a source; a source that was too large to read becomes its size problem. */
export function compileSource(
  src: ManifestSource,
  limits?: Partial<ManifestLimits>,
): { manifest?: CompiledManifest; problems: Problem[] } {
  if (!src.body) return { problems: [sizeProblem(src.size, resolveLimits(limits).maxBytes, src.uri)] };
  return compileManifest(src.body, src.uri, limits);
}
