/**
 * Where manifests come from: the one place that reads them. Local paths today; the storage work adds
 * `s3://bucket/key` here.
 */
import { open } from 'node:fs/promises';
import { UserError } from '../errors.js';
import { compileManifest } from './compile.js';
import { sizeProblem } from './decode.js';
import { resolveLimits } from './limits.js';
import type { CompiledManifest, ManifestLimits, Problem } from './types.js';

/** A manifest's bytes, or only its size when it is larger than the reader was allowed to read. */
export type ManifestSource = { uri: string; size: number; bytes: Uint8Array } | { uri: string; size: number; bytes?: undefined };

/**
 * Reads a manifest given as a local path (later also `s3://bucket/key`). A file larger than `maxBytes`
 * is not read. Throws UserError (exit 2) when it cannot be read at all.
 */
export async function readManifestSource(uri: string, opts: { maxBytes?: number } = {}): Promise<ManifestSource> {
  if (/^s3:\/\//i.test(uri)) {
    throw new UserError(`reading manifests from S3 is not supported in this build yet: ${uri}`, { hint: 'download it and pass the local path' });
  }
  if (/^[a-z][a-z0-9+.-]+:\/\//i.test(uri)) {
    throw new UserError(`unsupported manifest location: ${uri}`, { hint: 'give a local path or s3://bucket/key' });
  }
  let handle;
  try {
    handle = await open(uri, 'r');
    const info = await handle.stat();
    if (info.isDirectory()) throw new UserError(`${uri} is a directory, not a manifest file`);
    if (opts.maxBytes !== undefined && info.size > opts.maxBytes) return { uri, size: info.size };
    const bytes = await handle.readFile();
    return { uri, size: bytes.byteLength, bytes };
  } catch (err) {
    if (err instanceof UserError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message;
    throw new UserError(`cannot read the manifest ${uri}: ${reason}`);
  } finally {
    await handle?.close();
  }
}

/** Reads and compiles a manifest: `compileManifest` over `readManifestSource`, with the size bound applied before reading. */
export async function loadManifest(uri: string, limits?: Partial<ManifestLimits>): Promise<{ manifest?: CompiledManifest; problems: Problem[] }> {
  const { maxBytes } = resolveLimits(limits);
  const src = await readManifestSource(uri, { maxBytes });
  if (!src.bytes) return { problems: [sizeProblem(src.size, maxBytes, uri)] };
  return compileManifest(src.bytes, uri, limits);
}
