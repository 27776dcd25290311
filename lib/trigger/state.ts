/**
 * The state of an upload's run in the bucket, under `<state prefix><path>/<upload-id>/`
 * (docs/ARCHITECTURE.md, "Storage layout"): lock.json, heartbeat.json, checkpoint.json,
 * `<n>.claim`, `<n>.continue` and finished.json. Each is a small JSON object.
 */
import type { Config } from '../config.js';
import type { Operation, RequestedBy, TaskResult, Timeline } from '../report/types.js';
import { joinKey, type ObjectStore } from '../storage/object-store.js';
import { persistently } from '../storage/persist.js';
import { manifestPath } from '../storage/report-layout.js';
import type { RequestCounts } from '../types.js';
import { claim, type ClaimResult } from './claim.js';
import { CONTINUATION_SUFFIX } from './s3-event.js';

/** The lock of an upload's run: its owner is the run id. */
export type Lock = {
  owner: string;
  bucket: string;
  key: string;
  upload_id: string;
  started_at: string;
  /** Who uploaded the manifest and which version, as the event said: every invocation's report names them. */
  requested_by?: RequestedBy | undefined;
  version_id?: string | undefined;
  /** `destroy` for an upload under the destroy prefix (docs/DESTROY.md); absent: apply. */
  operation?: Operation | undefined;
};

/** Written by a live invocation every `heartbeatMs`. */
export interface Heartbeat {
  run_id: string;
  invocation: number;
  at: string;
  /**
   * The invocation ended with its work done but its report (or continuation) not stored, because the
   * store failed: the next delivery takes the run over at once instead of waiting for the beat to go stale.
   */
  stopped?: true;
  /** How far the run is: tasks with a final result, of all the manifest's tasks (absent before planning). */
  progress?: { done: number; total: number } | undefined;
  /**
   * The writer's stale threshold (its FDI_STALE_AFTER_MS): a reader judges the run stalled by it, not by
   * its own environment's (absent in beats of older versions).
   */
  stale_after_ms?: number | undefined;
}

/** Saved between invocations of one run. */
export interface Checkpoint {
  run_id: string;
  started_at: string;
  invocation: number;
  bucket: string;
  key: string;
  upload_id: string;
  requested_by?: RequestedBy | undefined;
  version_id?: string | undefined;
  operation?: Operation | undefined;
  manifest_sha256?: string | undefined;
  stats: RequestCounts;
  results: TaskResult[];
  /** Notes of earlier invocations, carried into the final report. */
  notes?: string[];
  /** The quota the API gateway stated in a 429 (`limit` requests per `period_s`): the next invocation starts at it. */
  learned_quota?: { limit: number; period_s: number } | undefined;
  /** The run's requests and progress per second so far (report.json's `timeline`). */
  timeline?: Timeline | undefined;
}

/** A continuation object: tells the next invocation which run to resume. */
export interface Continuation {
  bucket: string;
  key: string;
  upload_id: string;
  run_id: string;
  invocation: number;
}

/** Written once the run's report is: later deliveries of the same upload find the run done. */
export interface FinishedState {
  run_id: string;
  status: string;
  report: string;
}

/** Pauses between tries of a release's deletes. */
const RELEASE_DELAYS_MS = [200, 1_000];

/** The state folder of one upload of a manifest, and typed access to the objects in it. */
export class StateFolder {
  constructor(
    readonly store: ObjectStore,
    readonly dir: string,
  ) {}

  static of(store: ObjectStore, config: Config, manifestKey: string, uploadId: string): StateFolder {
    return new StateFolder(
      store,
      joinKey(config.prefixes.state, manifestPath(manifestKey, config.prefixes.manifest), uploadId),
    );
  }

  key(name: string): string {
    return joinKey(this.dir, name);
  }

  async get<T>(name: string): Promise<T | undefined> {
    const obj = await this.store.get(this.key(name));
    return obj ? (JSON.parse(Buffer.from(obj.body).toString('utf8')) as T) : undefined;
  }

  async put(name: string, value: unknown): Promise<void> {
    await this.store.put(this.key(name), JSON.stringify(value), 'application/json');
  }

  /** Claims `name` once (see claim.ts): only one delivery wins. */
  claim(name: string, owner: Record<string, unknown> & { owner: string }): Promise<ClaimResult> {
    return claim(this.store, this.key(name), owner);
  }

  /**
   * Removes this run's lock and state, so that a retried event runs afresh. Each delete is retried (the
   * store may be what failed the run); a lock that still cannot be removed is taken over once its
   * heartbeat is stale (liveness.ts).
   */
  async release(): Promise<void> {
    for (const name of ['heartbeat.json', 'checkpoint.json', 'lock.json']) {
      await persistently(() => this.store.delete(this.key(name)), RELEASE_DELAYS_MS).catch(() => undefined);
    }
  }
}

/** The claim key of invocation `n`: a continuation and a takeover to the same number race for it. */
export const claimName = (n: number): string => `${n}.claim`;
export const continuationName = (n: number): string => `${n}${CONTINUATION_SUFFIX}`;
