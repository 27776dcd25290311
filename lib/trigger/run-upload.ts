/**
 * One uploaded manifest as a run that may span several invocations: identity and lock (duplicate
 * deliveries are no-ops), periodic checkpoints, and — when the invocation's deadline nears — a
 * checkpoint plus a continuation object that triggers the next invocation, which resumes without
 * redoing work. The final invocation writes the report at the SPEC §7 keys.
 *
 * A live invocation writes a heartbeat every few seconds. An invocation killed outright (out of memory,
 * a crashed runtime) leaves its lock and stops beating; a later delivery of the same upload or
 * continuation (the platform retries a failed invocation) that finds the heartbeat stale and no
 * finished run takes the run over: it claims the next invocation number, exactly as a continuation
 * would, and resumes from the last checkpoint.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Config, Limits } from '../config.js';
import type { FdiClient } from '../fdi/client/client.js';
import type { Scheduler } from '../traffic/scheduler.js';
import { isFinal } from '../execute/execute-plan.js';
import type { Logger } from '../logger.js';
import { DEFAULT_LIMITS, type ManifestSource } from '../manifest/index.js';
import type { Report, TaskResult } from '../report/types.js';
import { newRunId, runManifest, type RunOutcome } from '../run-manifest.js';
import { joinKey, ObjectTooLargeError, type ObjectStore } from '../storage/object-store.js';
import { manifestPath, writeReport } from '../storage/report-layout.js';
import { claim, type ClaimResult } from './claim.js';
import { CONTINUATION_SUFFIX, uploadId, type UploadRef } from './s3-event.js';
import { buildReport } from '../report/build-report.js';
import { UserError } from '../errors.js';

export interface TriggerDeps {
  config: Config;
  logger: Logger;
  storeFor: (bucket: string) => ObjectStore;
  createClient?: (config: Config, scheduler: Scheduler, limits: Limits) => FdiClient;
  /** Test hook: the run's retry policy. */
  retryPolicy?: Parameters<typeof runManifest>[0]['retryPolicy'];
  /**
   * How long before the invocation's end to stop dispatching (soft) and to abort in-flight requests
   * (hard). Defaults: the request timeout + 15 s, and 5 s.
   */
  deadline?: { softMarginMs: number; hardMarginMs: number };
  /** How often a live invocation writes its heartbeat, and after how long without one a run is dead. */
  liveness?: Liveness;
}

export interface Liveness {
  heartbeatMs: number;
  staleAfterMs: number;
}

/**
 * A dead run is taken over after 45 s without a heartbeat: three missed beats, and sooner than the
 * platform's first retry of a failed asynchronous invocation (AWS Lambda: about a minute later).
 */
export const DEFAULT_LIVENESS: Liveness = { heartbeatMs: 15_000, staleAfterMs: 45_000 };

/** Written by a live invocation every `heartbeatMs`. */
interface Heartbeat {
  run_id: string;
  invocation: number;
  at: string;
}

/** The lock of an upload's run. */
type Lock = {
  owner: string;
  bucket: string;
  key: string;
  upload_id: string;
  started_at: string;
};

/** What the invocation knows about its time. */
export interface InvocationClock {
  /** Milliseconds left before the platform kills the invocation. */
  remainingMs(): number;
}

/** Saved between invocations of one run. */
export interface Checkpoint {
  run_id: string;
  started_at: string;
  invocation: number;
  bucket: string;
  key: string;
  upload_id: string;
  manifest_sha256?: string;
  stats: Report['stats'];
  results: TaskResult[];
  /** Notes of earlier invocations, carried into the final report. */
  notes?: string[];
}

/** A continuation object: tells the next invocation which run to resume. */
export interface Continuation {
  bucket: string;
  key: string;
  upload_id: string;
  run_id: string;
  invocation: number;
}

export type UploadOutcome =
  | { kind: 'duplicate'; key: string; uploadId: string }
  | { kind: 'continued'; runId: string; invocation: number; continuationKey: string }
  | { kind: 'finished'; runId: string; report: Report; reportKey: string };

const CHECKPOINT_EVERY = { results: 100, ms: 10_000 };

function stateDir(config: Config, ref: { key: string }, upload: string): string {
  return joinKey(config.prefixes.state, manifestPath(ref.key, config.prefixes.manifest), upload);
}

function parse<T>(body: Uint8Array): T {
  return JSON.parse(Buffer.from(body).toString('utf8')) as T;
}

/** Handles an uploaded manifest (first invocation of a run). */
export async function runUpload(ref: UploadRef, deps: TriggerDeps, clock: InvocationClock): Promise<UploadOutcome> {
  const store = deps.storeFor(ref.bucket);
  const upload = uploadId(ref);
  const dir = stateDir(deps.config, ref, upload);
  const runId = newRunId();
  const log = deps.logger.child({ run_id: runId, bucket: ref.bucket, key: ref.key, upload_id: upload });
  const lockBody: Lock = {
    owner: runId,
    bucket: ref.bucket,
    key: ref.key,
    upload_id: upload,
    started_at: new Date().toISOString(),
  };
  const lock = await claim(store, joinKey(dir, 'lock.json'), lockBody);
  if (!lock.won) {
    const resumed = await takeOverIfDead(store, dir, deps, log);
    if (resumed)
      return runInvocation(
        { bucket: ref.bucket, key: ref.key, eventName: 'takeover' },
        resumed.checkpoint,
        resumed.notes,
        deps,
        clock,
        resumed.log,
      );
    log.info('duplicate delivery of an upload already being handled; ignored');
    return { kind: 'duplicate', key: ref.key, uploadId: upload };
  }
  try {
    return await runInvocation(ref, freshCheckpoint(lockBody, 1), storeNotes(lock), deps, clock, log);
  } catch (err) {
    // An infrastructure failure: release the lock (and this run's state) so that the platform's retry
    // of this event runs afresh.
    for (const name of ['heartbeat.json', 'checkpoint.json', 'lock.json'])
      await store.delete(joinKey(dir, name)).catch(() => undefined);
    throw err;
  }
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
  const cont = parse<Continuation>(obj.body);
  const dir = stateDir(deps.config, cont, cont.upload_id);
  const log = deps.logger.child({
    run_id: cont.run_id,
    bucket: cont.bucket,
    key: cont.key,
    upload_id: cont.upload_id,
    invocation: cont.invocation,
  });
  const claimed = await claim(store, joinKey(dir, `${cont.invocation}.claim`), claimBody());
  if (!claimed.won) {
    const resumed = await takeOverIfDead(store, dir, deps, log);
    if (resumed)
      return runInvocation(
        { bucket: cont.bucket, key: cont.key, eventName: 'takeover' },
        resumed.checkpoint,
        resumed.notes,
        deps,
        clock,
        resumed.log,
      );
    log.info('duplicate delivery of a continuation; ignored');
    return { kind: 'duplicate', key: ref.key, uploadId: cont.upload_id };
  }
  // At once: a takeover must see this invocation alive (or dead) as soon as it holds the claim.
  await writeHeartbeat(store, dir, cont.run_id, cont.invocation, log);
  const saved = await store.get(joinKey(dir, 'checkpoint.json'));
  if (!saved) throw new UserError(`the checkpoint of run ${cont.run_id} is missing under ${dir}`);
  const checkpoint = { ...parse<Checkpoint>(saved.body), invocation: cont.invocation };
  return runInvocation(
    { bucket: cont.bucket, key: cont.key, eventName: 'continuation' },
    checkpoint,
    storeNotes(claimed),
    deps,
    clock,
    log,
  );
}

/** What the report says of a claim made on a store that ignores conditional writes. */
function storeNotes(claimed: ClaimResult): string[] {
  return claimed.atomic
    ? []
    : [
        'This store ignores conditional writes, so duplicate deliveries are stopped on a best-effort basis; exactly-once creation rests on the name lookups.',
      ];
}

/** The checkpoint of a run that has saved none yet. */
function freshCheckpoint(lock: Lock, invocation: number): Checkpoint {
  return {
    run_id: lock.owner,
    started_at: lock.started_at,
    invocation,
    bucket: lock.bucket,
    key: lock.key,
    upload_id: lock.upload_id,
    stats: { requests: 0, retries: 0, throttled: 0 },
    results: [],
  };
}

const claimBody = () => ({ owner: randomBytes(8).toString('hex'), claimed_at: new Date().toISOString() });

async function writeHeartbeat(
  store: ObjectStore,
  dir: string,
  runId: string,
  invocation: number,
  log: Logger,
): Promise<void> {
  const beat: Heartbeat = { run_id: runId, invocation, at: new Date().toISOString() };
  await store
    .put(joinKey(dir, 'heartbeat.json'), JSON.stringify(beat), 'application/json')
    .catch((err: unknown) => log.warn({ err: (err as Error).message }, 'heartbeat not saved'));
}

/** At most this many claimed-but-silent invocation numbers are stepped over by one takeover. */
const MAX_SILENT_CLAIMS = 5;

/**
 * For a delivery that lost the claim: when the run has not finished and its heartbeat is stale (its
 * invocation was killed), claims the next invocation number and returns the checkpoint to resume from.
 * A number that was claimed long ago but never beat (its holder died at once) is stepped over.
 * Undefined when the run is alive or finished, or another delivery took it over first.
 */
async function takeOverIfDead(
  store: ObjectStore,
  dir: string,
  deps: TriggerDeps,
  log: Logger,
): Promise<{ checkpoint: Checkpoint; notes: string[]; log: Logger } | undefined> {
  const finished = () => store.get(joinKey(dir, 'finished.json'));
  if (await finished()) return undefined;
  const lockObj = await store.get(joinKey(dir, 'lock.json'));
  if (!lockObj) return undefined;
  const lock = parse<Lock>(lockObj.body);
  // State of another run (one whose lock was released) does not count.
  const beatObj = await store.get(joinKey(dir, 'heartbeat.json'));
  const written = beatObj ? parse<Heartbeat>(beatObj.body) : undefined;
  const beat: Heartbeat =
    written?.run_id === lock.owner ? written : { run_id: lock.owner, invocation: 1, at: lock.started_at };
  const { staleAfterMs } = deps.liveness ?? DEFAULT_LIVENESS;
  const silentMs = Date.now() - Date.parse(beat.at);
  if (!(silentMs >= staleAfterMs)) return undefined;

  // The same key a continuation to this invocation number would claim: whichever comes first runs it.
  let invocation = beat.invocation + 1;
  let claimed = await claim(store, joinKey(dir, `${invocation}.claim`), { ...claimBody(), takeover: true });
  for (let skipped = 0; !claimed.won && skipped < MAX_SILENT_CLAIMS; skipped++) {
    const held = await store.get(joinKey(dir, `${invocation}.claim`));
    const at = held ? Date.parse(parse<{ claimed_at?: string }>(held.body).claimed_at ?? '') : NaN;
    if (!(Date.now() - at >= staleAfterMs)) return undefined; // its holder may be starting: alive until proven silent
    invocation += 1;
    claimed = await claim(store, joinKey(dir, `${invocation}.claim`), { ...claimBody(), takeover: true });
  }
  if (!claimed.won) return undefined;
  await writeHeartbeat(store, dir, lock.owner, invocation, log);
  // The run may have finished between the first look and the claim.
  if (await finished()) return undefined;

  const saved = await store.get(joinKey(dir, 'checkpoint.json'));
  const stored = saved ? parse<Checkpoint>(saved.body) : undefined;
  const prior = stored?.run_id === lock.owner ? stored : undefined;
  const checkpoint: Checkpoint = prior ? { ...prior, invocation } : freshCheckpoint(lock, invocation);
  const notes = [
    `Invocation ${invocation - 1} of this run stopped without finishing (no heartbeat for ${Math.round(silentMs / 1000)} s); invocation ${invocation} took the run over from ${prior ? 'its last checkpoint' : 'the start'}.` +
      ' Tasks created after that checkpoint were found by name (and read back where on_exists is "fail"), so they are reported as existing or updated rather than created.',
    ...storeNotes(claimed),
  ];
  const resumedLog = deps.logger.child({
    run_id: checkpoint.run_id,
    bucket: lock.bucket,
    key: lock.key,
    upload_id: lock.upload_id,
    invocation,
  });
  resumedLog.warn(
    { silent_ms: silentMs, dead_invocation: invocation - 1 },
    'run stopped without a heartbeat: taking it over',
  );
  return { checkpoint, notes, log: resumedLog };
}

async function runInvocation(
  ref: UploadRef,
  checkpoint: Checkpoint,
  notes: string[],
  deps: TriggerDeps,
  clock: InvocationClock,
  log: Logger,
): Promise<UploadOutcome> {
  const store = deps.storeFor(ref.bucket);
  const dir = stateDir(deps.config, ref, checkpoint.upload_id);
  const path = manifestPath(ref.key, deps.config.prefixes.manifest);
  const uri = `s3://${ref.bucket}/${ref.key}`;
  const done = new Map(checkpoint.results.filter(isFinal).map((r) => [r.index, r]));
  // Notes of earlier invocations and this one's, in the checkpoint and the final report.
  const runNotes = [...new Set([...(checkpoint.notes ?? []), ...notes])];

  // The heartbeat tells later deliveries that this run is alive (see takeOverIfDead), until it has
  // finished. The first beat is the lock's start time, or the one written when a later invocation won its claim.
  const liveness = deps.liveness ?? DEFAULT_LIVENESS;
  const heartbeat = setInterval(
    () => void writeHeartbeat(store, dir, checkpoint.run_id, checkpoint.invocation, log),
    liveness.heartbeatMs,
  );
  heartbeat.unref();

  // The deadline: stop dispatching early enough for in-flight requests, the checkpoint and the report.
  const margins = deps.deadline ?? { softMarginMs: deps.config.limits.timeoutMs + 15_000, hardMarginMs: 5_000 };
  const stop = new AbortController();
  const hard = new AbortController();
  const timers = [
    setTimeout(() => stop.abort(new Error('deadline')), Math.max(0, clock.remainingMs() - margins.softMarginMs)),
    setTimeout(() => hard.abort(new Error('deadline')), Math.max(0, clock.remainingMs() - margins.hardMarginMs)),
  ];
  let outcome: RunOutcome;
  try {
    const obj = await store.get(ref.key, DEFAULT_LIMITS.maxBytes).catch((err: unknown) => {
      if (err instanceof ObjectTooLargeError) return { size: err.size };
      throw err;
    });
    if (!obj) {
      const reason = `the manifest ${uri} no longer exists`;
      const report = buildReport({
        runId: checkpoint.run_id,
        manifest: { uri },
        startedAt: new Date(checkpoint.started_at),
        finishedAt: new Date(),
        results: [],
        stats: checkpoint.stats,
        rejected: reason,
        errors: [{ message: reason }],
      });
      return finishRun(store, deps.config, path, report, undefined, dir, log);
    }
    const source: ManifestSource =
      'body' in obj
        ? { uri, size: obj.body.byteLength, body: obj.body, ...(obj.etag ? { etag: obj.etag } : {}) }
        : { uri, size: obj.size };
    if (checkpoint.manifest_sha256 && checkpoint.invocation > 1 && source.body) {
      if (createHash('sha256').update(source.body).digest('hex') !== checkpoint.manifest_sha256)
        runNotes.push(
          'The manifest object changed between invocations of this run; the run continued with the current content.',
        );
    }
    let sinceSave = 0;
    let lastSave = Date.now();
    let saving: Promise<void> = Promise.resolve();
    const save = () => {
      saving = saving
        .then(() =>
          store.put(
            joinKey(dir, 'checkpoint.json'),
            JSON.stringify({ ...checkpoint, notes: runNotes, results: [...done.values()] } satisfies Checkpoint),
            'application/json',
          ),
        )
        .catch((err: unknown) => log.warn({ err: (err as Error).message }, 'checkpoint not saved'));
      sinceSave = 0;
      lastSave = Date.now();
      return saving;
    };
    outcome = await runManifest(
      {
        source,
        config: deps.config,
        mode: 'apply',
        runId: checkpoint.run_id,
        startedAt: new Date(checkpoint.started_at),
        done,
        resumed: checkpoint.invocation > 1,
        priorStats: checkpoint.stats,
        notes: runNotes,
        signal: hard.signal,
        stopSignal: stop.signal,
        ...(deps.retryPolicy ? { retryPolicy: deps.retryPolicy } : {}),
        onResult: (r, stats) => {
          if (!isFinal(r)) return;
          done.set(r.index, r);
          checkpoint.stats = stats;
          if (++sinceSave >= CHECKPOINT_EVERY.results || Date.now() - lastSave >= CHECKPOINT_EVERY.ms) void save();
        },
      },
      { logger: log, ...(deps.createClient ? { createClient: deps.createClient } : {}) },
    );
    checkpoint.manifest_sha256 = outcome.report.manifest.sha256;
    checkpoint.stats = outcome.report.stats;
    if (outcome.stopped === 'deadline') {
      await save();
      const next: Continuation = {
        bucket: ref.bucket,
        key: ref.key,
        upload_id: checkpoint.upload_id,
        run_id: checkpoint.run_id,
        invocation: checkpoint.invocation + 1,
      };
      const continuationKey = joinKey(dir, `${next.invocation}${CONTINUATION_SUFFIX}`);
      await store.put(continuationKey, JSON.stringify(next), 'application/json');
      log.info(
        { done: done.size, continuation: continuationKey },
        'deadline near: checkpoint saved, continuing in a new invocation',
      );
      return { kind: 'continued', runId: checkpoint.run_id, invocation: next.invocation, continuationKey };
    }
    // Every result saved before the report: if writing the report fails, a takeover resumes from here.
    await save();
    return await finishRun(store, deps.config, path, outcome.report, outcome.failedYaml, dir, log);
  } finally {
    for (const t of timers) clearTimeout(t);
    clearInterval(heartbeat);
  }
}

async function finishRun(
  store: ObjectStore,
  config: Config,
  path: string,
  report: Report,
  failedYaml: string | undefined,
  dir: string,
  log: Logger,
): Promise<UploadOutcome> {
  const reportKey = await writeReport(store, config.prefixes.report, path, report, failedYaml);
  await store.put(
    joinKey(dir, 'finished.json'),
    JSON.stringify({ run_id: report.run_id, status: report.status, report: reportKey }),
    'application/json',
  );
  log.info({ status: report.status, counts: report.counts, report: reportKey }, 'run finished');
  return { kind: 'finished', runId: report.run_id, report, reportKey };
}
