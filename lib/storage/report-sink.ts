/**
 * Where a run's report goes, as the orchestrator writes it: a folder or a bucket prefix laid out as
 * docs/ARCHITECTURE.md ("Storage layout") describes. `--report <dir|s3://bucket/prefix>` chooses on
 * the command line; by default `./reports` for a local manifest and the layout in the manifest's own
 * bucket for an S3 one. The trigger writes under the report prefix of the bucket it serves.
 */
import path from 'node:path';
import type { Config } from '../config.js';
import type { Report } from '../report/types.js';
import { storeAt } from './store-at.js';
import { joinKey, parseS3Uri, type ObjectStore } from './object-store.js';
import { localManifestPath, manifestPath, writeReport } from './report-layout.js';

/** Where a written report is: its folder's key in the store, and how to show it to a person. */
export interface ReportLocation {
  key: string;
  location: string;
}

export interface ReportSink {
  /** The manifest's folder in the layout (`team/wave1`): where its reports go. */
  readonly path: string;
  /**
   * Writes the report files (and `failed.yaml` when given), then `latest.json`, under the manifest's
   * folder, or under the folder of the run it retries (`retry_of`, a failed.yaml's run).
   */
  write(report: Report, failedYaml?: string): Promise<ReportLocation>;
}

/**
 * The report files of the manifest `path` under `prefix` of `store`. `persistDelaysMs`: the pauses
 * between tries of a report write that fails after the client's own retries (persist.ts).
 */
export function layoutSink(
  store: ObjectStore,
  prefix: string,
  manifestKeyPath: string,
  persistDelaysMs?: readonly number[],
): ReportSink {
  return {
    path: manifestKeyPath,
    async write(report, failedYaml) {
      const where = report.retry_of?.path ?? manifestKeyPath;
      const key = await writeReport(store, prefix, where, report, failedYaml, persistDelaysMs);
      const location = store.location.startsWith('s3://')
        ? `${joinKey(store.location, key)}/`
        : `${path.join(store.location, key)}${path.sep}`;
      return { key, location };
    },
  };
}

/**
 * The sink of a command-line run of `manifestUri`. A local manifest's folder is its path from the
 * current directory (`wave1/tables.yaml` → `wave1/tables`), or its absolute path for one outside it.
 */
export async function reportSinkFor(
  flag: string | undefined,
  manifestUri: string,
  config: Config,
  cwd: string = process.cwd(),
): Promise<ReportSink> {
  const manifestS3 = parseS3Uri(manifestUri);
  const p = manifestS3 ? manifestPath(manifestS3.key, config.prefixes.manifest) : localManifestPath(manifestUri, cwd);
  const dest = flag ?? (manifestS3 ? `s3://${manifestS3.bucket}/${config.prefixes.report}` : 'reports');
  const { store, prefix } = await storeAt(dest, config.s3);
  return layoutSink(store, prefix, p);
}
