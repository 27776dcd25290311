/**
 * Where a CLI run's report goes: `--report <dir>` or `--report s3://bucket/prefix`; by default
 * `./reports` for a local manifest and the SPEC §7 layout in the manifest's bucket for an S3 one.
 */
import path from 'node:path';
import type { Config } from '../config.js';
import { localStore } from './local-store.js';
import type { ObjectStore } from './object-store.js';
import { manifestPath } from './report-layout.js';
import { parseS3Uri } from './object-store.js';

export interface ReportTarget {
  store: ObjectStore;
  prefix: string;
  /** The manifest's `<path>` in the layout. */
  path: string;
}

export async function reportStoreFor(
  flag: string | undefined,
  manifestUri: string,
  config: Config,
): Promise<ReportTarget> {
  const manifestS3 = parseS3Uri(manifestUri);
  const p = manifestS3
    ? manifestPath(manifestS3.key, config.prefixes.manifest)
    : manifestPath(path.basename(manifestUri), '');
  const dest = flag ?? (manifestS3 ? `s3://${manifestS3.bucket}/${config.prefixes.report}` : 'reports');
  const s3 = parseS3Uri(dest);
  if (s3) {
    const { createS3Client, s3Store } = await import('./s3-store.js');
    return { store: s3Store(createS3Client(config.s3), s3.bucket), prefix: s3.key, path: p };
  }
  return { store: localStore(path.resolve(dest)), prefix: '', path: p };
}
