/**
 * The one place manifests are read: a local path or `s3://bucket/key` (the command line), or a key of
 * a store (the upload trigger). A manifest over the size bound is not read (only its size is
 * returned), so the run reports it as a located problem.
 */
import { open } from 'node:fs/promises';
import type { Config } from '../config.js';
import { UserError } from '../errors.js';
import { DEFAULT_LIMITS, type ManifestSource } from '../manifest/index.js';
import { ObjectTooLargeError, parseS3Uri, type ObjectStore } from './object-store.js';

/** The manifest of one run, as the orchestrator reads it. */
export interface ManifestReader {
  /** Where the manifest is, as reports show it. */
  readonly uri: string;
  /** Its bytes (or only its size when over the bound); undefined when it no longer exists. */
  read(): Promise<ManifestSource | undefined>;
}

/** A path or `s3://bucket/key` given on the command line; a missing one is the user's error to fix. */
export function manifestReader(uri: string, s3: Config['s3']): ManifestReader {
  return { uri, read: () => readManifest(uri, s3) };
}

/** A key of a store (the trigger's bucket): a manifest deleted since its upload reads as undefined. */
export function objectManifestReader(store: ObjectStore, key: string): ManifestReader {
  const uri = `${store.location}/${key}`;
  return {
    uri,
    async read() {
      const obj = await store.get(key, DEFAULT_LIMITS.maxBytes).catch((err: unknown) => {
        if (err instanceof ObjectTooLargeError) return { size: err.size };
        throw err;
      });
      if (!obj) return undefined;
      if (!('body' in obj)) return { uri, size: obj.size };
      return { uri, size: obj.body.byteLength, body: obj.body, etag: obj.etag };
    },
  };
}

/** Reads a manifest given on the command line; every failure is the user's to fix (`UserError`). */
export async function readManifest(
  uri: string,
  s3: Config['s3'],
  maxBytes: number = DEFAULT_LIMITS.maxBytes,
): Promise<ManifestSource> {
  const s3uri = parseS3Uri(uri);
  if (s3uri) return readS3Manifest(uri, s3uri, s3, maxBytes);
  if (/^[a-z][a-z0-9+.-]+:\/\//i.test(uri))
    throw new UserError(`unsupported manifest location: ${uri}`, { hint: 'give a local path or s3://bucket/key' });
  return readLocalManifest(uri, maxBytes);
}

async function readS3Manifest(
  uri: string,
  { bucket, key }: { bucket: string; key: string },
  s3: Config['s3'],
  maxBytes: number,
): Promise<ManifestSource> {
  if (!key)
    throw new UserError(`"${uri}" names a bucket but no manifest key`, { hint: 'use s3://bucket/manifests/name.yaml' });
  // The AWS SDK costs ~185 ms to load: only s3:// manifests pay for it.
  const { createS3Client, s3Store } = await import('./s3-store.js');
  const obj = await s3Store(createS3Client(s3), bucket)
    .get(key, maxBytes)
    .catch((err: unknown) => {
      if (err instanceof ObjectTooLargeError) return { size: err.size };
      // Unreachable store, no such bucket, access denied: the user's configuration to fix.
      throw new UserError(`cannot read the manifest ${uri}: ${(err as Error).name}: ${(err as Error).message}`, {
        hint: 'check S3_ENDPOINT, S3_FORCE_PATH_STYLE, AWS_REGION and the AWS credentials',
      });
    });
  if (!obj) throw new UserError(`manifest ${uri} does not exist`);
  if (!('body' in obj)) return { uri, size: obj.size };
  return { uri, size: obj.body.byteLength, body: obj.body, etag: obj.etag };
}

async function readLocalManifest(uri: string, maxBytes: number): Promise<ManifestSource> {
  let handle;
  try {
    handle = await open(uri, 'r');
    const info = await handle.stat();
    if (info.isDirectory()) throw new UserError(`${uri} is a directory, not a manifest file`);
    // A device or a pipe reports size 0 and may never end: only regular files are manifests.
    if (!info.isFile())
      throw new UserError(`${uri} is not a regular file`, { hint: 'save the manifest to a file and pass its path' });
    if (info.size > maxBytes) return { uri, size: info.size };
    // Read at most one byte more than its size said: a file that grows while it is read is refused.
    const buffer = Buffer.alloc(info.size + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === buffer.length)
        throw new UserError(`${uri} changed while it was read`, { hint: 'run again once it is written' });
    }
    const body = buffer.subarray(0, length);
    return { uri, size: body.byteLength, body };
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`cannot read the manifest ${uri}: ${fileErrorReason(err as NodeJS.ErrnoException)}`);
  } finally {
    await handle?.close();
  }
}

function fileErrorReason(err: NodeJS.ErrnoException): string {
  const reasons: Record<string, string> = {
    ENOENT: 'no such file',
    EACCES: 'permission denied',
    EISDIR: 'it is a directory',
  };
  return reasons[err.code ?? ''] ?? err.message;
}
