/**
 * The runs a store knows (README, "Runs"), newest first, paged. The store is listed by prefix once and
 * run ids are read from the keys, which sort by the run's start (lib/run-record.ts): only the runs of
 * the page asked for are read (a report, a live record, or a lock and its heartbeat), so a bucket of
 * thousands of runs answers in a few list requests and a page's reads.
 */
import path from 'node:path';
import type { Report } from '../report/types.js';
import { joinKey, type ObjectStore } from '../storage/object-store.js';
import { claimName, type Checkpoint, type FinishedState, type Heartbeat, type Lock } from '../trigger/state.js';
import { fromLiveRecord, fromLock, fromReport, RUN_ID_PATTERN, summaryOf } from './derive.js';
import type { LiveRecord, RunDetail, RunsPage } from './types.js';

/** Where runs are kept: report folders and live records under `reportPrefix`, and the function's state. */
export interface RunsStore {
  store: ObjectStore;
  reportPrefix: string;
  /** The function's state prefix, when the store is the bucket the function serves. */
  statePrefix?: string | undefined;
  /** How to name it to a person: a folder, or `s3://bucket[/prefix]`. */
  location: string;
}

/** What the keys say of one run, before anything is read: where its own keys are. */
export type Found =
  { runId: string; kind: 'report' | 'lock'; dir: string } | { runId: string; kind: 'live'; key: string };

/** The suffix of a command-line run's live record, beside its report folder (live-record.ts). */
export const LIVE_SUFFIX = '.live.json';

/** Every run of the store by id, from listings alone; a report wins over a live record or a lock. */
async function findAll(src: RunsStore): Promise<Map<string, Found>> {
  const runs = new Map<string, Found>();
  const [reportKeys, stateKeys] = await Promise.all([
    src.store.list(src.reportPrefix),
    src.statePrefix === undefined ? Promise.resolve([]) : src.store.list(src.statePrefix),
  ]);
  for (const key of reportKeys) {
    const parts = key.split('/');
    const name = parts[parts.length - 1];
    const parent = parts[parts.length - 2] ?? '';
    if (name === 'report.json' && RUN_ID_PATTERN.test(parent))
      runs.set(parent, { runId: parent, kind: 'report', dir: parts.slice(0, -1).join('/') });
    else if (name.endsWith(LIVE_SUFFIX)) {
      const runId = name.slice(0, -LIVE_SUFFIX.length);
      if (RUN_ID_PATTERN.test(runId) && runs.get(runId)?.kind !== 'report')
        runs.set(runId, { runId, kind: 'live', key });
    }
  }
  // A lock names its run only inside it: read the few that are open (their run has not finished).
  await Promise.all(
    openLocks(stateKeys).map(async (dir) => {
      const lock = await getJson<unknown>(src.store, joinKey(dir, 'lock.json'));
      if (isLock(lock) && RUN_ID_PATTERN.test(lock.owner) && !runs.has(lock.owner))
        runs.set(lock.owner, { runId: lock.owner, kind: 'lock', dir });
    }),
  );
  return runs;
}

/** The state folders holding a lock and no finished.json: runs of the function that have not ended. */
function openLocks(stateKeys: readonly string[]): string[] {
  const dirs = new Map<string, { lock: boolean; finished: boolean }>();
  for (const key of stateKeys) {
    const slash = key.lastIndexOf('/');
    const name = key.slice(slash + 1);
    if (name !== 'lock.json' && name !== 'finished.json') continue;
    const dir = key.slice(0, slash);
    const d = dirs.get(dir) ?? { lock: false, finished: false };
    d[name === 'lock.json' ? 'lock' : 'finished'] = true;
    dirs.set(dir, d);
  }
  return [...dirs].filter(([, d]) => d.lock && !d.finished).map(([dir]) => dir);
}

async function getJson<T>(store: ObjectStore, key: string): Promise<T | undefined> {
  const obj = await store.get(key);
  if (!obj) return undefined;
  try {
    return JSON.parse(Buffer.from(obj.body).toString('utf8')) as T;
  } catch {
    // Half a record (a store without atomic writes) is no record.
    return undefined;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: Record<string, unknown>, ...keys: string[]) => keys.every((k) => typeof v[k] === 'string');

/** Whether what a report.json holds has a report's shape, as far as `runs` reads it. */
function isReport(v: unknown): v is Report {
  return (
    isObject(v) &&
    strings(v, 'run_id', 'status', 'started_at') &&
    isObject(v.manifest) &&
    typeof v.manifest.uri === 'string' &&
    isObject(v.counts) &&
    typeof v.counts.total === 'number' &&
    Array.isArray(v.tasks) &&
    Array.isArray(v.errors)
  );
}

const isLiveRecord = (v: unknown): v is LiveRecord =>
  isObject(v) && strings(v, 'run_id', 'manifest', 'started_at', 'at');
const isLock = (v: unknown): v is Lock => isObject(v) && strings(v, 'owner', 'bucket', 'key', 'started_at');
const isBeat = (v: unknown): v is Heartbeat => isObject(v) && strings(v, 'run_id', 'at');
const isCheckpoint = (v: unknown): v is Checkpoint =>
  isObject(v) && typeof v.run_id === 'string' && Array.isArray(v.results);

/** Where a report folder is, as the report sink names it (lib/storage/report-sink.ts). */
function folderLocation(store: ObjectStore, dir: string): string {
  return store.location.startsWith('s3://')
    ? `${joinKey(store.location, dir)}/`
    : `${path.join(store.location, dir)}${path.sep}`;
}

/**
 * The next invocation of a stalled function run when it is pending, from its state folder's keys: a
 * `<n>.continue` of a later invocation that no delivery has claimed yet (its event is on its way), or
 * a later `<n>.claim` whose holder has not beaten yet and is younger than the stale threshold (starting:
 * alive until as silent as a dead run, as liveness.ts's takeover judges it). Null when none is.
 */
async function pendingInvocation(
  store: ObjectStore,
  dir: string,
  keys: readonly string[],
  d: RunDetail,
  now: number,
  staleAfterMs: number,
): Promise<number | null> {
  const after = d.invocation ?? 1;
  const claims = new Set<number>();
  const continues = new Set<number>();
  for (const key of keys) {
    const m = /\/(\d+)\.(claim|continue)$/.exec(key);
    if (m && Number(m[1]) > after) (m[2] === 'claim' ? claims : continues).add(Number(m[1]));
  }
  const newestFirst = (set: Set<number>) => [...set].sort((a, b) => b - a);
  for (const n of newestFirst(continues)) if (!claims.has(n)) return n;
  for (const n of newestFirst(claims)) {
    const held = await getJson<{ claimed_at?: unknown }>(store, joinKey(dir, claimName(n)));
    const at = typeof held?.claimed_at === 'string' ? Date.parse(held.claimed_at) : NaN;
    if (now - at < staleAfterMs) return n;
  }
  return null;
}

/** A function run from its state folder (`keys`: the folder's, listed, for the detail's pending invocation). */
async function readLock(
  store: ObjectStore,
  dir: string,
  clock: { now: number; staleAfterMs: number },
  keys: readonly string[] | undefined,
): Promise<RunDetail | undefined> {
  const [lock, beat, checkpoint] = await Promise.all([
    getJson<unknown>(store, joinKey(dir, 'lock.json')),
    getJson<unknown>(store, joinKey(dir, 'heartbeat.json')),
    keys ? getJson<unknown>(store, joinKey(dir, 'checkpoint.json')) : undefined,
  ]);
  if (!isLock(lock)) return undefined;
  const ok = <T>(v: unknown, is: (v: unknown) => v is T) => (is(v) ? v : undefined);
  const own = ok(beat, isBeat);
  const d = fromLock(lock, own, clock.now, clock.staleAfterMs, ok(checkpoint, isCheckpoint));
  if (keys && d.state === 'stalled') {
    const staleAfterMs = (own?.run_id === lock.owner ? own.stale_after_ms : undefined) ?? clock.staleAfterMs;
    d.pending_invocation = await pendingInvocation(store, dir, keys, d, clock.now, staleAfterMs);
  }
  return d;
}

/**
 * What is known of one found run; undefined when it vanished between the listing and the read, or what
 * is read does not have the shape of its kind (a stray or hand-edited report.json): such a run is skipped.
 */
async function read(
  src: RunsStore,
  found: Found,
  clock: { now: number; staleAfterMs: number },
  detail: boolean,
): Promise<RunDetail | undefined> {
  const { store } = src;
  if (found.kind === 'report') {
    // A listing reads the run's small run.json (the report without its tasks); a detail, or a report
    // written before run.json existed, the whole report.json.
    const summary = detail ? undefined : await getJson<unknown>(store, joinKey(found.dir, 'run.json'));
    const report = isReport(summary) ? summary : await getJson<unknown>(store, joinKey(found.dir, 'report.json'));
    return isReport(report) ? fromReport(report, folderLocation(store, found.dir)) : undefined;
  }
  if (found.kind === 'live') {
    const live = await getJson<unknown>(store, found.key);
    return isLiveRecord(live) ? fromLiveRecord(live, clock.now, clock.staleAfterMs) : undefined;
  }
  return readLock(store, found.dir, clock, detail ? await store.list(`${found.dir}/`) : undefined);
}

export interface ListOptions {
  limit: number;
  offset?: number | undefined;
  /** After how long without a heartbeat a run is stalled (the takeover threshold). */
  staleAfterMs: number;
  now?: number | undefined;
}

/** A page of the store's runs, newest first. */
export async function listRuns(src: RunsStore, options: ListOptions): Promise<RunsPage> {
  const all = [...(await findAll(src)).values()].sort((a, b) => (a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0));
  const offset = options.offset ?? 0;
  const clock = { now: options.now ?? Date.now(), staleAfterMs: options.staleAfterMs };
  // Ids sort runs to the second only: a page that cuts through the runs of one second reads all of
  // them, orders them by their start in ms, and then takes its share, so pages never overlap or skip.
  const second = (i: number) => all[i]!.runId.slice(0, 16);
  let lo = Math.min(offset, all.length);
  let hi = Math.min(offset + options.limit, all.length);
  while (lo > 0 && lo < all.length && second(lo - 1) === second(lo)) lo -= 1;
  while (hi > lo && hi < all.length && second(hi) === second(hi - 1)) hi += 1;
  const read1 = await Promise.all(all.slice(lo, hi).map((f) => read(src, f, clock, false)));
  const ordered = read1
    .map((d, i) => ({ d, i }))
    .sort((a, b) => {
      const [x, y] = [a.d?.started_at, b.d?.started_at];
      const bySecond = second(lo + b.i).localeCompare(second(lo + a.i));
      return bySecond || (x && y ? Date.parse(y) - Date.parse(x) : 0) || a.i - b.i;
    });
  return {
    location: src.location,
    total: all.length,
    offset,
    limit: options.limit,
    runs: ordered
      .slice(offset - lo, offset - lo + options.limit)
      .map(({ d }) => d)
      .filter((d): d is RunDetail => d !== undefined)
      .map(summaryOf),
  };
}

/** One run in detail; undefined when the store holds no run of that id. */
export async function findRun(
  src: RunsStore,
  runId: string,
  options: Pick<ListOptions, 'staleAfterMs' | 'now'>,
): Promise<RunDetail | undefined> {
  const found = (await findAll(src)).get(runId);
  const clock = { now: options.now ?? Date.now(), staleAfterMs: options.staleAfterMs };
  return found && read(src, found, clock, true);
}

/**
 * One run's own keys read again, without listing the store: a command-line run's report folder and
 * live record, or a function run's state folder (one listing of it) and, once it has finished, the
 * report its finished.json names. Undefined when they no longer say where the run is.
 */
async function readOwn(
  src: RunsStore,
  runId: string,
  found: Found,
  clock: { now: number; staleAfterMs: number },
): Promise<{ found: Found; detail: RunDetail } | undefined> {
  const { store } = src;
  const asReport = async (dir: string) => {
    const report = await getJson<unknown>(store, joinKey(dir, 'report.json'));
    return isReport(report) && report.run_id === runId
      ? { found: { runId, kind: 'report' as const, dir }, detail: fromReport(report, folderLocation(store, dir)) }
      : undefined;
  };
  if (found.kind === 'report') return asReport(found.dir);
  if (found.kind === 'live') {
    // The report folder is the live record's key without its suffix (live-record.ts).
    const ended = await asReport(found.key.slice(0, -LIVE_SUFFIX.length));
    if (ended) return ended;
    const live = await getJson<unknown>(store, found.key);
    return isLiveRecord(live) ? { found, detail: fromLiveRecord(live, clock.now, clock.staleAfterMs) } : undefined;
  }
  const keys = await store.list(`${found.dir}/`);
  if (keys.includes(joinKey(found.dir, 'finished.json'))) {
    const finished = await getJson<Partial<FinishedState>>(store, joinKey(found.dir, 'finished.json'));
    return finished?.run_id === runId && typeof finished.report === 'string' ? asReport(finished.report) : undefined;
  }
  const detail = await readLock(store, found.dir, clock, keys);
  return detail?.run_id === runId ? { found, detail } : undefined;
}

/**
 * `runs <run-id> --watch`: each call looks at the run again. The first lists the store to find it;
 * later ones read only its own keys (readOwn), and list the store again only when those no longer say
 * where it is. Undefined when the store holds no run of that id.
 */
export function runWatcher(
  src: RunsStore,
  runId: string,
  options: { staleAfterMs: number; now?: (() => number) | undefined },
): () => Promise<RunDetail | undefined> {
  let found: Found | undefined;
  return async () => {
    const clock = { now: options.now?.() ?? Date.now(), staleAfterMs: options.staleAfterMs };
    const again = found && (await readOwn(src, runId, found, clock));
    if (again) {
      found = again.found;
      return again.detail;
    }
    found = (await findAll(src)).get(runId);
    return found && read(src, found, clock, true);
  };
}
