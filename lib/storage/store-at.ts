/**
 * The store a command-line location names: a folder, or `s3://bucket/prefix` (`--report`, `--state`).
 * The AWS SDK costs ~185 ms to load, so only a location in a bucket pays for it.
 */
import path from 'node:path';
import type { Config } from '../config.js';
import { localStore } from './local-store.js';
import { parseS3Uri, type ObjectStore } from './object-store.js';

/** The store of `uri` and the key prefix inside it ('' for a folder). */
export async function storeAt(uri: string, s3: Config['s3']): Promise<{ store: ObjectStore; prefix: string }> {
  const bucket = parseS3Uri(uri);
  if (!bucket) return { store: localStore(path.resolve(uri)), prefix: '' };
  const { createS3Client, s3Store } = await import('./s3-store.js');
  return { store: s3Store(createS3Client(s3), bucket.bucket), prefix: bucket.key };
}
