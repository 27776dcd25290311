/**
 * A command-line run's live record (docs/RELIABILITY.md, "Runs in progress"): `<run-id>.live.json`
 * beside the run's report folder, written when the run is planned and every few seconds with its progress,
 * and removed once the run has ended (its report written, or not). A run killed before its end leaves
 * it behind, no longer rewritten: `runs` shows it `stalled` once it is older than the stale threshold.
 * It is never inside the report folder, which holds a whole report or nothing.
 */
import type { Config } from '../config.js';
import { LIVENESS_BOUNDS } from '../config-liveness.js';
import type { Logger } from '../logger.js';
import { tally } from '../report/build-report.js';
import type { Operation, RequestedBy, TaskResult } from '../report/types.js';
import type { RunObserver } from '../run-types.js';
import { joinKey, parseS3Uri, type ObjectStore } from '../storage/object-store.js';
import { localManifestPath, manifestPath } from '../storage/report-layout.js';
import { storeAt } from '../storage/store-at.js';
import { LIVE_SUFFIX } from './list-runs.js';
import type { LiveRecord } from './types.js';

/** A command-line run beats this often unless FDI_HEARTBEAT_MS says otherwise. */
export const CLI_BEAT_MS = 5_000;

/** What the run's hooks feed the record with. */
export interface LiveRun {
  /** The orchestrator named the run: the record is written once it is planned, and every beat. */
  begin(runId: string): void;
  /** The tasks execution will go through. */
  planned(total: number): void;
  /** A task's result; a final one counts as done. */
  result(result: TaskResult, final: boolean): void;
  /** The run has ended: stop beating and remove the record. */
  end(): Promise<void>;
}

export interface LiveRunOptions {
  manifest: string;
  operation: Operation;
  requestedBy?: RequestedBy | undefined;
  everyMs: number;
  /**
   * After how long without a beat the record is stalled, written into it (`stale_after_ms`) so that a
   * reader with another environment judges it alike; default: FDI_STALE_AFTER_MS's default, and at
   * least three beats.
   */
  staleAfterMs?: number | undefined;
  log: Logger;
}

/**
 * The live record of a command-line run whose report goes to `reportFlag` (or the default: ./reports,
 * or the manifest's bucket): the same folder the report sink writes into (lib/storage/report-sink.ts).
 */
export async function liveRunFor(
  reportFlag: string | undefined,
  config: Config,
  options: LiveRunOptions,
  cwd: string = process.cwd(),
): Promise<LiveRun> {
  const s3 = parseS3Uri(options.manifest);
  const folder = s3 ? manifestPath(s3.key, config.prefixes.manifest) : localManifestPath(options.manifest, cwd);
  const dest = reportFlag ?? (s3 ? `s3://${s3.bucket}/${config.prefixes.report}` : 'reports');
  const { store, prefix } = await storeAt(dest, config.s3);
  const staleAfterMs = options.staleAfterMs ?? config.liveness?.staleAfterMs;
  return liveRun(store, (runId) => joinKey(prefix, folder, `${runId}${LIVE_SUFFIX}`), { ...options, staleAfterMs });
}

/** The live record of a run in `store` at `keyOf(runId)`; writes and removals never fail the run. */
export function liveRun(store: ObjectStore, keyOf: (runId: string) => string, options: LiveRunOptions): LiveRun {
  const results = new Map<number, TaskResult['status']>();
  let record: LiveRecord | undefined;
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  const warn = (what: string) => (err: unknown) =>
    options.log.warn({ err: (err as Error).message }, `live record of the run not ${what}`);
  const beat = () => {
    if (!record) return;
    const now: LiveRecord = {
      ...record,
      at: new Date().toISOString(),
      counts: tally([...results.values()].map((status) => ({ status }))),
    };
    now.progress = record.progress && { done: results.size, total: record.progress.total };
    const key = keyOf(record.run_id);
    writing = writing.then(() => store.put(key, JSON.stringify(now), 'application/json')).catch(warn('saved'));
  };
  return {
    begin(runId) {
      if (record) return;
      const at = new Date().toISOString();
      record = {
        run_id: runId,
        manifest: options.manifest,
        operation: options.operation,
        started_at: at,
        at,
        requested_by: options.requestedBy,
        pid: process.pid,
        stale_after_ms: options.staleAfterMs ?? Math.max(LIVENESS_BOUNDS.staleAfterMs.default, 3 * options.everyMs),
      };
      // The first write waits for the plan (or the first beat): a run refused at once leaves nothing.
      timer = setInterval(beat, options.everyMs);
      timer.unref();
    },
    planned(total) {
      if (record) record.progress = { done: 0, total };
      beat();
    },
    result(r, final) {
      if (final) results.set(r.index, r.status);
    },
    async end() {
      clearInterval(timer);
      await writing;
      if (record) await store.delete(keyOf(record.run_id)).catch(warn('removed'));
    },
  };
}

/**
 * `observer` with the live record fed too: the run's ID as it starts, the plan's tasks as its total,
 * each final result as done.
 */
export function observedBy(observer: RunObserver, live: LiveRun): RunObserver {
  return {
    ...observer,
    started(run) {
      observer.started?.(run);
      live.begin(run.runId);
    },
    planned(plan, manifest) {
      observer.planned?.(plan, manifest);
      live.planned(plan.entries.length);
    },
    result(r, progress) {
      observer.result?.(r, progress);
      live.result(r, progress.final);
    },
  };
}
