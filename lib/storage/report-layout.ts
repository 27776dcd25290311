/**
 * Where reports and state go (docs/ARCHITECTURE.md, "Storage layout"):
 *   <report prefix><path>/<run-id>/{report.json,tasks.csv,summary.md,failed.yaml}
 *   <report prefix><path>/latest.json
 *   <state prefix><path>/<upload-id>/…
 * `<path>` is the manifest key under the manifest prefix, without its .yaml/.yml suffix.
 */
import path from 'node:path';
import type { Report } from '../report/types.js';
import { reportFiles } from '../report/render-report.js';
import { joinKey, type ObjectStore } from './object-store.js';
import { putPersistently } from './persist.js';

/** `manifests/team/wave1.yaml` with prefix `manifests/` → `team/wave1`. */
export function manifestPath(key: string, manifestPrefix: string): string {
  const rel = manifestPrefix && key.startsWith(manifestPrefix) ? key.slice(manifestPrefix.length) : key;
  return rel.replace(/\.ya?ml$/i, '').replace(/^\/+/, '') || 'manifest';
}

/**
 * A local manifest's folder in the layout: its path from `cwd` without `.yaml`/`.yml`, or, outside
 * `cwd`, its absolute path without the root (`/data/w1/t.yaml` → `data/w1/t`), so two manifests of the
 * same name in different folders never share reports.
 */
export function localManifestPath(file: string, cwd: string): string {
  const abs = path.resolve(cwd, file);
  const rel = path.relative(cwd, abs);
  const inside = rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  const from = inside ? rel : abs.replace(/^([A-Za-z]:)?[\\/]+/, '');
  return manifestPath(from.split(path.sep).join('/'), '');
}

export function runReportPrefix(reportPrefix: string, path: string, runId: string): string {
  return joinKey(reportPrefix, path, runId);
}

/**
 * Writes the report files, then `latest.json` (last, so a reader of latest finds the files there).
 * Each write is retried (persist.ts). When a report file still fails, the files of the run's folder
 * are removed (as far as the store lets us: the failed write may have been stored all the same) and
 * the error is thrown, so a folder holds a whole report or nothing. When `latest.json` fails the
 * folder is left whole: the failed write may have been stored, and it names this folder.
 */
export async function writeReport(
  store: ObjectStore,
  reportPrefix: string,
  path: string,
  report: Report,
  failedYaml?: string,
  delaysMs?: readonly number[],
): Promise<string> {
  const dir = runReportPrefix(reportPrefix, path, report.run_id);
  const tried: string[] = [];
  const files = reportFiles(report, failedYaml);
  try {
    for (const f of files) {
      const key = joinKey(dir, f.name);
      tried.push(key);
      await putPersistently(store, key, f.body, f.contentType, delaysMs);
    }
  } catch (err) {
    for (const key of tried) await store.delete(key).catch(() => undefined);
    throw err;
  }
  // latest.json is report.json: its text once, not serialised again (a 10,000-task report is megabytes).
  const json = files.find((f) => f.name === 'report.json')?.body ?? `${JSON.stringify(report, null, 2)}\n`;
  await putPersistently(store, joinKey(reportPrefix, path, 'latest.json'), json, 'application/json', delaysMs);
  return dir;
}
