/**
 * Whether a run is alive: a live invocation writes a heartbeat every few seconds until its run has
 * finished. An invocation killed outright (out of memory, a crashed runtime) leaves its lock and
 * stops beating; a later delivery of the same upload or continuation (the platform retries a failed
 * invocation) that finds the heartbeat stale and no finished run takes the run over: it claims the
 * next invocation number, exactly as a continuation would, and resumes from the last checkpoint.
 */
import type { Logger } from '../logger.js';
import { persistently } from '../storage/persist.js';
import { claimBody, storeNotes } from './claim.js';
import { freshCheckpoint } from './checkpoint.js';
import {
  claimName,
  type Checkpoint,
  type FinishedState,
  type Heartbeat,
  type Lock,
  type StateFolder,
} from './state.js';

export interface Liveness {
  /** How often a live invocation writes its heartbeat. */
  heartbeatMs: number;
  /** After how long without one a run is dead. */
  staleAfterMs: number;
}

/**
 * A dead run is taken over after 45 s without a heartbeat: three missed beats, and sooner than the
 * platform's first retry of a failed asynchronous invocation (AWS Lambda: about a minute later).
 */
export const DEFAULT_LIVENESS: Liveness = { heartbeatMs: 15_000, staleAfterMs: 45_000 };

/** At most this many claimed-but-silent invocation numbers are stepped over by one takeover. */
const MAX_SILENT_CLAIMS = 5;

/** How far a run is, for its heartbeat: undefined until it knows (before planning). */
export type ProgressOf = () => Heartbeat['progress'];

/**
 * The progress of the run's last beat, for a beat that does not know its own yet: the first beats of a
 * continuation or a takeover (before it has planned again) and the `stopped` beat carry the last known
 * progress instead of blanking it (docs/RELIABILITY.md, "Runs in progress"). A beat of another run of
 * the upload, or none, carries nothing.
 */
async function lastProgress(state: StateFolder, runId: string): Promise<Heartbeat['progress']> {
  const last = await state.get<Heartbeat>('heartbeat.json').catch(() => undefined);
  return last?.run_id === runId ? last.progress : undefined;
}

/**
 * One beat, with the run's progress when known (else the last beat's); a failed write is logged, not
 * fatal (the next beat may get through).
 */
export async function writeHeartbeat(
  state: StateFolder,
  runId: string,
  invocation: number,
  liveness: Liveness,
  log: Logger,
  progress?: ProgressOf,
): Promise<void> {
  const beat: Heartbeat = {
    run_id: runId,
    invocation,
    at: new Date().toISOString(),
    progress: progress?.() ?? (await lastProgress(state, runId)),
    stale_after_ms: liveness.staleAfterMs,
  };
  await state
    .put('heartbeat.json', beat)
    .catch((err: unknown) => log.warn({ err: (err as Error).message }, 'heartbeat not saved'));
}

/**
 * The last beat of an invocation whose work is done but whose report (or continuation) the store
 * refused, with its progress as this invocation knows it: the next delivery of the event takes the run over at once (takeOverIfDead). Tried a few
 * times; false when even this could not be stored (the run is then taken over once the beat is stale).
 */
export async function writeStopped(
  state: StateFolder,
  runId: string,
  invocation: number,
  liveness: Liveness,
  delaysMs?: readonly number[],
  progress?: ProgressOf,
): Promise<boolean> {
  const beat: Heartbeat = {
    run_id: runId,
    invocation,
    at: new Date().toISOString(),
    stopped: true,
    // Only what this invocation knows: the store is what failed, so no read that could hang first.
    progress: progress?.(),
    stale_after_ms: liveness.staleAfterMs,
  };
  return persistently(() => state.put('heartbeat.json', beat), delaysMs).then(
    () => true,
    () => false,
  );
}

/**
 * Beats every `heartbeatMs` (with `progress()`, docs/RELIABILITY.md) until the returned function is called; that resolves once a beat in
 * flight has landed (or failed), so that no late beat overwrites what the caller writes next.
 */
export function startHeartbeat(
  state: StateFolder,
  runId: string,
  invocation: number,
  liveness: Liveness,
  log: Logger,
  progress?: ProgressOf,
): () => Promise<void> {
  let inFlight: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    inFlight = writeHeartbeat(state, runId, invocation, liveness, log, progress);
  }, liveness.heartbeatMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    return inFlight;
  };
}

export interface Takeover {
  checkpoint: Checkpoint;
  notes: string[];
  log: Logger;
}

/**
 * For a delivery that lost the claim: when the run has not finished and its heartbeat is stale (its
 * invocation was killed), claims the next invocation number and returns the checkpoint to resume from.
 * A number that was claimed long ago but never beat (its holder died at once) is stepped over.
 * Undefined when the run is alive or finished, or another delivery took it over first.
 */
export async function takeOverIfDead(
  state: StateFolder,
  liveness: Liveness,
  logger: Logger,
): Promise<Takeover | undefined> {
  const finished = () => state.get<FinishedState>('finished.json');
  if (await finished()) return undefined;
  const lock = await state.get<Lock>('lock.json');
  if (!lock) return undefined;
  // State of another run (one whose lock was released) does not count.
  const written = await state.get<Heartbeat>('heartbeat.json');
  const beat = written?.run_id === lock.owner ? written : { run_id: lock.owner, invocation: 1, at: lock.started_at };
  const silentMs = Date.now() - Date.parse(beat.at);
  const stopped = written?.run_id === lock.owner && written.stopped === true;
  if (!stopped && !(silentMs >= liveness.staleAfterMs)) return undefined;

  // The same key a continuation to this invocation number would claim: whichever comes first runs it.
  let invocation = beat.invocation + 1;
  let claimed = await state.claim(claimName(invocation), { ...claimBody(), takeover: true });
  for (let skipped = 0; !claimed.won && skipped < MAX_SILENT_CLAIMS; skipped++) {
    const held = await state.get<{ claimed_at?: string }>(claimName(invocation));
    const at = Date.parse(held?.claimed_at ?? '');
    // Its holder may be starting: alive until proven silent.
    if (!(Date.now() - at >= liveness.staleAfterMs)) return undefined;
    invocation += 1;
    claimed = await state.claim(claimName(invocation), { ...claimBody(), takeover: true });
  }
  if (!claimed.won) return undefined;
  const log = logger.child({
    run_id: lock.owner,
    bucket: lock.bucket,
    key: lock.key,
    upload_id: lock.upload_id,
    invocation,
  });
  await writeHeartbeat(state, lock.owner, invocation, liveness, log);
  // The run may have finished between the first look and the claim.
  if (await finished()) return undefined;

  const stored = await state.get<Checkpoint>('checkpoint.json');
  const prior = stored?.run_id === lock.owner ? stored : undefined;
  const checkpoint: Checkpoint = prior ? { ...prior, invocation } : freshCheckpoint(lock, invocation);
  const from = prior ? 'its last checkpoint' : 'the start';
  const notes = [
    stopped
      ? `Invocation ${invocation - 1} of this run could not store its report or its continuation (the object store failed); ` +
        `invocation ${invocation}, a later delivery of the same event, finished the run from ${from}.`
      : `Invocation ${invocation - 1} of this run stopped without finishing (no heartbeat for ${Math.round(silentMs / 1000)} s); ` +
        `invocation ${invocation} took the run over from ${from}.` +
        ' Tasks created after that checkpoint were found by name (and read back where on_exists is "fail"), so they are reported as existing or updated rather than created.',
    ...storeNotes(claimed),
  ];
  log.warn({ silent_ms: silentMs, dead_invocation: invocation - 1 }, 'run stopped without a heartbeat: taking it over');
  return { checkpoint, notes, log };
}
