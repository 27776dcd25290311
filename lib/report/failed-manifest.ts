/**
 * `failed.yaml`: a manifest of only the tasks that failed or were not attempted, fully rendered, that
 * `apply` (or an upload) accepts as is. Details travel as `detail_json` (used as is, never templated);
 * every other string has json-e's `${` escaped as `$${` so it renders back to itself. Pure.
 */
import { stringify } from 'yaml';
import type { TaskDispatch } from '../fdi/model/api.js';
import type { CompiledManifest, ExpandedTask, ManifestOptions } from '../manifest/index.js';
import type { PlanEntry } from '../plan/types.js';
import type { TaskResult } from './types.js';

/** The run a failed.yaml comes from: its manifest (the first one, for a retry of a retry), and the report folder. */
export interface Origin {
  uri: string;
  runId: string;
  path: string;
  /** A destroy run's failed.yaml is retried by `destroy`. */
  operation?: 'apply' | 'destroy' | undefined;
}

/** The statuses a re-run should retry. */
export function needsRerun(r: TaskResult): boolean {
  return r.status === 'failed' || r.status === 'not_attempted';
}

function lit(s: string): string {
  return s.replace(/\$\{/g, '$${');
}

function scheduleEntry(d: TaskDispatch): Record<string, unknown> {
  const common = {
    start_datetime: d.start_datetime,
    remark: d.remark === undefined ? undefined : lit(d.remark),
  };
  if (d.use_quartz_cron && d.cron) return { cron: lit(d.cron), ...common };
  return { period: d.period, interval: d.dispatch_interval, ...common };
}

/** One task as a manifest entry, with its data sources resolved to the IDs the run used. */
export function manifestEntry(
  task: ExpandedTask,
  result: TaskResult,
  ids?: { source: string; target: string },
): Record<string, unknown> {
  const dsRef = (ref: ExpandedTask['source'], id?: string) =>
    id !== undefined ? lit(id) : 'id' in ref ? lit(ref.id) : { name: lit(ref.name) };
  return {
    name: task.name,
    task_type: task.task_type,
    source_datasource: dsRef(task.source, ids?.source),
    target_datasource: dsRef(task.target_ds, ids?.target),
    description: task.description === undefined ? undefined : lit(task.description),
    task_tag: task.task_tag,
    ...(result.target
      ? { target: { project_id: lit(result.target.project_id), instance_id: lit(result.target.instance_id) } }
      : {}),
    detail_json: task.task_detail,
    schedule: task.schedule && scheduleEntry(task.schedule),
    start: task.start || undefined,
    run_now: task.run_now || undefined,
  };
}

/** Builds the file one task at a time (a task's rendered detail is only held while it is written). */
export function failedManifest(
  entries: Iterable<Record<string, unknown>>,
  options: ManifestOptions,
  origin: Origin,
): string {
  const retryOf = { manifest: origin.uri, run_id: origin.runId, path: origin.path };
  const chunks = [
    `# Tasks that failed or were not attempted in run ${origin.runId} of ${origin.uri}.`,
    ...(origin.operation === 'destroy'
      ? [
          '# Destroy this file as is (fdi-provision destroy, or an upload under the destroy prefix) to retry them;',
          '# tasks that are gone by now are reported absent. Its reports go with the run it retries (retry_of).',
        ]
      : [
          '# Apply or upload this file as is to retry them; tasks that exist by now are skipped. Its reports go',
          '# with the run it retries (retry_of).',
        ]),
    stringify({ version: 1, retry_of: retryOf, options }, { lineWidth: 0 }).trimEnd(),
    'tasks:',
  ];
  for (const e of entries) chunks.push(stringify([e], { lineWidth: 0 }).trimEnd());
  return `${chunks.join('\n')}\n`;
}

/**
 * `failed.yaml` of a run, when some task needs a re-run: those tasks, with their data sources as the
 * run resolved them. Undefined when every task ended well.
 */
export function rerunManifest(
  manifest: CompiledManifest,
  entries: readonly PlanEntry[],
  results: readonly TaskResult[],
  origin: Origin,
): string | undefined {
  if (!results.some(needsRerun)) return undefined;
  // A retry of a retry still names the first manifest and its report folder.
  const from = manifest.retryOf ? { ...origin, uri: manifest.retryOf.manifest, path: manifest.retryOf.path } : origin;
  function* rerun(): Generator<Record<string, unknown>> {
    for (const task of manifest.tasks()) {
      const r = results[task.index];
      if (!r || !needsRerun(r)) continue;
      const e = entries[task.index];
      const ids =
        e?.source_datasource_id && e.target_datasource_id
          ? { source: e.source_datasource_id, target: e.target_datasource_id }
          : undefined;
      yield manifestEntry(task, r, ids);
    }
  }
  return failedManifest(rerun(), manifest.options, from);
}
