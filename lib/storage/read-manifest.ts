/** Reads a manifest from a local path or `s3://bucket/key`, bounded in size before it is read. */
import { readFile, stat } from 'node:fs/promises';
import type { Config } from '../config.js';
import { UserError } from '../errors.js';
import { DEFAULT_LIMITS } from '../manifest/index.js';
import type { ManifestSource } from '../run-manifest.js';
import { createS3Client, parseS3Uri, s3Store } from './s3-store.js';

export async function readManifest(uri: string, config: Config, maxBytes = DEFAULT_LIMITS.maxBytes): Promise<ManifestSource> {
  const s3 = parseS3Uri(uri);
  if (s3) {
    if (!s3.key) throw new UserError(`"${uri}" names a bucket but no manifest key`, { hint: 'use s3://bucket/manifests/name.yaml' });
    const obj = await s3Store(createS3Client(config.s3), s3.bucket).get(s3.key, maxBytes);
    if (!obj) throw new UserError(`manifest ${uri} does not exist`);
    return { uri, body: obj.body, ...(obj.etag ? { etag: obj.etag } : {}) };
  }
  let size: number;
  try {
    const s = await stat(uri);
    if (!s.isFile()) throw new UserError(`manifest ${uri} is not a file`);
    size = s.size;
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`cannot read manifest ${uri}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  if (size > maxBytes) {
    throw new UserError(`manifest ${uri} is ${size} bytes, over the limit of ${maxBytes} bytes`, { hint: 'split it into several manifests' });
  }
  return { uri, body: await readFile(uri) };
}
