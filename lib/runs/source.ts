/**
 * Which store `runs` reads: a report folder (the command line's `./reports` by default), a report
 * location in a bucket (`--report s3://bucket/prefix` of apply), or the bucket the function serves
 * (`s3://bucket`, or `s3://bucket/<REPORT_PREFIX>`): its report and state prefixes (lib/config.ts).
 */
import type { Config } from '../config.js';
import { UserError } from '../errors.js';
import { parseS3Uri } from '../storage/object-store.js';
import { storeAt } from '../storage/store-at.js';
import type { RunsStore } from './list-runs.js';

/** Where the command line's apply and destroy write reports by default (lib/storage/report-sink.ts). */
export const DEFAULT_REPORT_DIR = 'reports';

const slashed = (p: string) => (p === '' || p.endsWith('/') ? p : `${p}/`);

/** The store at `where` (default ./reports), as `runs` reads it. */
export async function runsStoreAt(
  where: string | undefined,
  config: Pick<Config, 'prefixes' | 's3'>,
): Promise<RunsStore> {
  const uri = where ?? DEFAULT_REPORT_DIR;
  const s3 = parseS3Uri(uri);
  // `s3://`, `s3:///x`, `S3://b`: meant as a bucket, never a folder of that name.
  if (!s3 && /^s3:/i.test(uri))
    throw new UserError(`${JSON.stringify(uri)} is not a bucket location: write s3://bucket[/prefix]`);
  const { store, prefix } = await storeAt(uri, config.s3);
  const functionLayout = s3 !== undefined && (prefix === '' || slashed(prefix) === slashed(config.prefixes.report));
  if (functionLayout)
    return {
      store,
      reportPrefix: config.prefixes.report,
      statePrefix: config.prefixes.state,
      location: `s3://${s3.bucket}`,
    };
  return { store, reportPrefix: prefix === '' ? '' : slashed(prefix), location: uri };
}
