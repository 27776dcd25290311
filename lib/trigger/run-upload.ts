/**
 * One uploaded manifest as a run that may span several invocations. The first delivery of an upload
 * takes its lock (a duplicate delivery is a no-op, or takes over a dead run: liveness.ts); a
 * continuation object resumes a run that suspended at its deadline (checkpoint.ts). Each invocation is
 * one call of the orchestrator, with the bucket as its manifest reader and report sink.
 */
import type { Config } from '../config.js';
import { UserError } from '../errors.js';
import type { FdiConnector } from '../fdi/client/connect.js';
import type { Logger } from '../logger.js';
import { operatorNotifier } from '../notify/index.js';
import type { Operation, Report } from '../report/types.js';
import { runManifest } from '../run-manifest.js';
import type { PolicyInput } from '../run-types.js';
import { policyLoader } from '../storage/policy-store.js';
import { newRunId } from '../run-record.js';
import { appliedStore } from '../storage/applied-store.js';
import { objectManifestReader } from '../storage/manifest-reader.js';
import type { ObjectStore } from '../storage/object-store.js';
import { manifestPath } from '../storage/report-layout.js';
import { persistently } from '../storage/persist.js';
import { layoutSink } from '../storage/report-sink.js';
import { CheckpointWriter, freshCheckpoint, resumeOf } from './checkpoint.js';
import { deadlineSignals, type DeadlineMargins, type InvocationClock } from './deadline.js';
import { claimBody, storeNotes } from './claim.js';
import {
  DEFAULT_LIVENESS,
  startHeartbeat,
  takeOverIfDead,
  writeHeartbeat,
  writeStopped,
  type Liveness,
} from './liveness.js';
import { uploadId, type UploadRef } from './s3-event.js';
import { claimName, StateFolder, type Checkpoint, type Continuation, type FinishedState, type Lock } from './state.js';

export type { InvocationClock } from './deadline.js';

/** The dependencies of the upload trigger, built once per cold start (or once per local stack). */
export interface TriggerDeps {
  config: Config;
  logger: Logger;
  storeFor: (bucket: string) => ObjectStore;
  fdi: FdiConnector;
  /** Defaults: stop dispatching the request timeout + 15 s before the end, abort requests 5 s before. */
  deadline?: DeadlineMargins | undefined;
  liveness?: Liveness | undefined;
  /** Pauses between tries of the writes that must land (report, latest.json, finished.json): persist.ts. */
  persistDelaysMs?: readonly number[] | undefined;
}

export type UploadOutcome =
  | { kind: 'duplicate'; key: string; uploadId: string }
  | { kind: 'continued'; runId: string; invocation: number; continuationKey: string }
  | { kind: 'finished'; runId: string; report: Report; reportKey: string };

/** Handles an uploaded manifest (first invocation of a run). */
export async function runUpload(
  ref: UploadRef,
  deps: TriggerDeps,
  clock: InvocationClock,
  operation: Operation = 'apply',
): Promise<UploadOutcome> {
  const upload = uploadId(ref);
  const state = StateFolder.of(deps.storeFor(ref.bucket), deps.config, ref.key, upload);
  const runId = newRunId();
  const log = deps.logger.child({
    run_id: runId,
    bucket: ref.bucket,
    key: ref.key,
    upload_id: upload,
    ...(ref.versionId && { version_id: ref.versionId }),
    ...(ref.requestedBy && { requested_by: ref.requestedBy }),
    ...(operation === 'destroy' && { operation }),
  });
  const lock: Lock = {
    owner: runId,
    bucket: ref.bucket,
    key: ref.key,
    upload_id: upload,
    started_at: new Date().toISOString(),
    requested_by: ref.requestedBy,
    version_id: ref.versionId,
    ...(operation === 'destroy' && { operation }),
  };
  const locked = await state.claim('lock.json', lock);
  if (!locked.won) {
    const takeover = await takeOverIfDead(state, deps.liveness ?? DEFAULT_LIVENESS, deps.logger);
    if (takeover) return runInvocation(state, takeover.checkpoint, takeover.notes, deps, clock, takeover.log);
    log.info('duplicate delivery of an upload already being handled; ignored');
    return { kind: 'duplicate', key: ref.key, uploadId: upload };
  }
  try {
    return await runInvocation(state, freshCheckpoint(lock, 1), storeNotes(locked), deps, clock, log);
  } catch (err) {
    // An infrastructure failure: release the lock so that the platform's retry of this event runs
    // afresh; unless the run's work is done and only storing its report failed: the retry then takes
    // the run over from its checkpoint and writes the report (liveness.ts, `writeStopped`).
    if (!(err instanceof WorkDoneNotStoredError && err.stopped)) await state.release();
    throw err;
  }
}

/** The operator's policy over the run's manifest, read afresh by every invocation (none when none is set). */
function governing(config: Config, checkpoint: Checkpoint, deps: TriggerDeps): PolicyInput | undefined {
  const load = policyLoader(config.policy, checkpoint.bucket, deps.storeFor);
  return load && { key: checkpoint.key, load };
}

/** Handles a continuation object (a later invocation of a run). */
export async function runContinuation(
  ref: UploadRef,
  deps: TriggerDeps,
  clock: InvocationClock,
): Promise<UploadOutcome> {
  const store = deps.storeFor(ref.bucket);
  const obj = await store.get(ref.key, 64 * 1024);
  if (!obj) throw new UserError(`continuation ${ref.key} vanished`);
  const cont = JSON.parse(Buffer.from(obj.body).toString('utf8')) as Continuation;
  const state = StateFolder.of(store, deps.config, cont.key, cont.upload_id);
  const log = deps.logger.child({
    run_id: cont.run_id,
    bucket: cont.bucket,
    key: cont.key,
    upload_id: cont.upload_id,
    invocation: cont.invocation,
  });
  const claimed = await state.claim(claimName(cont.invocation), claimBody());
  if (!claimed.won) {
    const takeover = await takeOverIfDead(state, deps.liveness ?? DEFAULT_LIVENESS, deps.logger);
    if (takeover) return runInvocation(state, takeover.checkpoint, takeover.notes, deps, clock, takeover.log);
    log.info('duplicate delivery of a continuation; ignored');
    return { kind: 'duplicate', key: ref.key, uploadId: cont.upload_id };
  }
  // At once: a takeover must see this invocation alive (or dead) as soon as it holds the claim.
  await writeHeartbeat(state, cont.run_id, cont.invocation, deps.liveness ?? DEFAULT_LIVENESS, log);
  const saved = await state.get<Checkpoint>('checkpoint.json');
  if (!saved) throw new UserError(`the checkpoint of run ${cont.run_id} is missing under ${state.dir}`);
  return runInvocation(state, { ...saved, invocation: cont.invocation }, storeNotes(claimed), deps, clock, log);
}

/**
 * The invocation's tasks are all settled (their results in the checkpoint), but its report, latest.json,
 * finished.json or continuation could not be stored. `stopped`: the heartbeat says so, and the next
 * delivery takes the run over at once.
 */
export class WorkDoneNotStoredError extends Error {
  constructor(
    readonly stopped: boolean,
    options: { cause: unknown },
  ) {
    super(`the run's work is done but the store refused its report: ${(options.cause as Error)?.message}`, options);
    this.name = 'WorkDoneNotStoredError';
  }
}

/** One invocation of a run: the orchestrator, with a heartbeat, the deadline and checkpoints around it. */
async function runInvocation(
  state: StateFolder,
  checkpoint: Checkpoint,
  notes: string[],
  deps: TriggerDeps,
  clock: InvocationClock,
  log: Logger,
): Promise<UploadOutcome> {
  const { config } = deps;
  const { run_id: runId, invocation } = checkpoint;
  // The heartbeat's progress: tasks with a final result (the checkpoint's) of the plan's, once planned.
  let total: number | undefined;
  const progress = () => (total === undefined ? undefined : { done: writer.done, total });
  const liveness = deps.liveness ?? DEFAULT_LIVENESS;
  const stopBeating = startHeartbeat(state, runId, invocation, liveness, log, progress);
  const margins = deps.deadline ?? { softMarginMs: config.limits.timeoutMs + 15_000, hardMarginMs: 5_000 };
  const stops = deadlineSignals(clock, margins);
  const resume = resumeOf(checkpoint, notes);
  const destroying = checkpoint.operation === 'destroy' && config.prefixes.destroy !== undefined;
  if (checkpoint.operation === 'destroy' && !destroying)
    throw new UserError(`run ${runId} is a destroy, but destroy uploads are no longer enabled (FDI_DESTROY_UPLOADS)`);
  const writer = new CheckpointWriter(state, checkpoint, resume.notes, log);
  let settled = false;
  try {
    const outcome = await runManifest(
      {
        mode: 'apply',
        config,
        sink: layoutSink(
          state.store,
          config.prefixes.report,
          // A destroy's reports go beside the applies of the same path: destroy/team/w1.yaml → team/w1.
          manifestPath(checkpoint.key, destroying ? config.prefixes.destroy! : config.prefixes.manifest),
          deps.persistDelaysMs,
        ),
        operation: checkpoint.operation,
        resume,
        provenance: { requestedBy: checkpoint.requested_by, versionId: checkpoint.version_id },
        signal: stops.signal,
        deadline: stops.deadline,
        observer: {
          planned: (plan) => {
            total = plan.entries.length;
          },
          result: (r, progress) => writer.record(r, progress),
          ending: async (s) => {
            await writer.settle(s);
            settled = true;
          },
        },
      },
      {
        reader: objectManifestReader(state.store, checkpoint.key),
        fdi: deps.fdi,
        logger: log,
        applied: appliedStore(state.store, config.prefixes.state, config.endpoint),
        policy: governing(config, checkpoint, deps),
        // The notice gets what is left before the hard stop; the hard margin is finished.json's.
        notify: operatorNotifier(config.notify, log, () => clock.remainingMs() - margins.hardMarginMs),
      },
    );
    if (outcome.kind === 'suspended') {
      const next = await writer.continueInNextInvocation();
      log.info({ continuation: next.key }, 'deadline near: checkpoint saved, continuing in a new invocation');
      return { kind: 'continued', runId, invocation: next.invocation, continuationKey: next.key };
    }
    const { report } = outcome;
    const reportKey = outcome.written!.key;
    const finished: FinishedState = { run_id: report.run_id, status: report.status, report: reportKey };
    // Last, and retried: a run is finished (for later deliveries) only once its report is stored.
    await persistently(() => state.put('finished.json', finished), deps.persistDelaysMs);
    return { kind: 'finished', runId, report, reportKey };
  } catch (err) {
    if (!settled) throw err;
    await stopBeating();
    const stopped = await writeStopped(state, runId, invocation, liveness, deps.persistDelaysMs, progress);
    log.error({ err: (err as Error).message, stopped }, 'work done, but the store refused its report');
    throw new WorkDoneNotStoredError(stopped, { cause: err });
  } finally {
    stops.dispose();
    void stopBeating();
  }
}
