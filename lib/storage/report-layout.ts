/**
 * Where reports and state go (docs/ARCHITECTURE.md, "Storage layout"):
 *   <report prefix><path>/<run-id>/{report.json,tasks.csv,summary.md,failed.yaml}
 *   <report prefix><path>/latest.json
 *   <state prefix><path>/<upload-id>/…
 * `<path>` is the manifest key under the manifest prefix, without its .yaml/.yml suffix.
 */
import type { Report } from '../report/types.js';
import { reportFiles } from '../report/render-report.js';
import { joinKey, type ObjectStore } from './object-store.js';

/** `manifests/team/wave1.yaml` with prefix `manifests/` → `team/wave1`. */
export function manifestPath(key: string, manifestPrefix: string): string {
  const rel = manifestPrefix && key.startsWith(manifestPrefix) ? key.slice(manifestPrefix.length) : key;
  return rel.replace(/\.ya?ml$/i, '').replace(/^\/+/, '') || 'manifest';
}

export function runReportPrefix(reportPrefix: string, path: string, runId: string): string {
  return joinKey(reportPrefix, path, runId);
}

/** Writes the report files, then `latest.json` (last, so a reader of latest finds the files there). */
export async function writeReport(
  store: ObjectStore,
  reportPrefix: string,
  path: string,
  report: Report,
  failedYaml?: string,
): Promise<string> {
  const dir = runReportPrefix(reportPrefix, path, report.run_id);
  for (const f of reportFiles(report, failedYaml)) await store.put(joinKey(dir, f.name), f.body, f.contentType);
  await store.put(
    joinKey(reportPrefix, path, 'latest.json'),
    `${JSON.stringify(report, null, 2)}\n`,
    'application/json',
  );
  return dir;
}
