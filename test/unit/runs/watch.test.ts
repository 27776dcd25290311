/**
 * `runs <id> --watch`: a stalled function run whose next invocation is pending is still going; after
 * the first look, only the run's own keys are read.
 */
import { describe, expect, it } from 'vitest';
import { stillGoing } from '../../../lib/runs/derive.js';
import { findRun, runWatcher, type RunsStore } from '../../../lib/runs/list-runs.js';
import { localStore } from '../../../lib/storage/local-store.js';
import type { ObjectStore } from '../../../lib/storage/object-store.js';
import { tempDir } from '../../helpers/cli.js';
import { oneTaskReport } from '../../helpers/report.js';

const RUN = '20261128T203828Z-1a2b3c';
const NOW = Date.parse('2026-11-28T20:45:00.000Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();
const DIR = 'state/w/u1';

/** A store that records the prefixes it is listed by. */
function counting(store: ObjectStore): { store: ObjectStore; lists: string[] } {
  const lists: string[] = [];
  return {
    lists,
    store: {
      ...store,
      location: store.location,
      list: (prefix: string) => {
        lists.push(prefix);
        return store.list(prefix);
      },
    },
  };
}

async function bucket() {
  const base = localStore(await tempDir('fdi-runs-watch-'));
  const { store, lists } = counting(base);
  const put = (key: string, value: unknown) => base.put(key, JSON.stringify(value));
  const src: RunsStore = { store, reportPrefix: 'reports/', statePrefix: 'state/', location: 's3://b' };
  await put(`${DIR}/lock.json`, {
    owner: RUN,
    bucket: 'b',
    key: 'manifests/w.yaml',
    upload_id: 'u1',
    started_at: ago(300),
  });
  // Invocation 1 suspended at its deadline 60 s ago: its last beat is stale.
  await put(`${DIR}/heartbeat.json`, { run_id: RUN, invocation: 1, at: ago(60), progress: { done: 5, total: 9 } });
  await put(`${DIR}/1.claim`, { owner: 'x', claimed_at: ago(300) });
  return { src, put, lists, base };
}

const look = (src: RunsStore) => findRun(src, RUN, { staleAfterMs: 45_000, now: NOW });

describe('a stalled function run with its next invocation pending', () => {
  it('no continuation, no newer claim: stalled, nothing pending', async () => {
    const { src } = await bucket();
    expect(await look(src)).toMatchObject({ state: 'stalled', pending_invocation: null });
  });

  it('a continuation not yet claimed: pending', async () => {
    const { src, put } = await bucket();
    await put(`${DIR}/2.continue`, { run_id: RUN, invocation: 2 });
    expect(await look(src)).toMatchObject({ state: 'stalled', pending_invocation: 2 });
  });

  it('a newer claim not yet beating: pending while younger than the stale threshold', async () => {
    const { src, put } = await bucket();
    await put(`${DIR}/2.continue`, { run_id: RUN, invocation: 2 });
    await put(`${DIR}/2.claim`, { owner: 'y', claimed_at: ago(10) });
    expect(await look(src)).toMatchObject({ state: 'stalled', pending_invocation: 2 });
    await put(`${DIR}/2.claim`, { owner: 'y', claimed_at: ago(50) });
    expect(await look(src)).toMatchObject({ state: 'stalled', pending_invocation: null });
  });

  it('a takeover claim (no continuation) not yet beating: pending', async () => {
    const { src, put } = await bucket();
    await put(`${DIR}/2.claim`, { owner: 'y', claimed_at: ago(1), takeover: true });
    expect(await look(src)).toMatchObject({ pending_invocation: 2 });
  });
});

describe('stillGoing (whether --watch goes on)', () => {
  it('a running run, or a stalled function run with its next invocation pending; not a stalled one without', async () => {
    const { src, put } = await bucket();
    const stalled = (await look(src))!;
    expect(stillGoing(stalled)).toBe(false);
    await put(`${DIR}/2.continue`, { run_id: RUN, invocation: 2 });
    const pending = (await look(src))!;
    expect(stillGoing(pending)).toBe(true);
    expect(stillGoing({ ...pending, state: 'running', pending_invocation: null })).toBe(true);
    expect(stillGoing({ ...pending, state: 'succeeded', pending_invocation: null })).toBe(false);
    // A command-line run never has a pending invocation: its stall ends the watch.
    expect(stillGoing({ ...pending, source: 'cli', pending_invocation: null })).toBe(false);
  });
});

describe('runWatcher', () => {
  it('lists the store once, then only the run’s state folder; follows it to its report', async () => {
    const { src, put, lists } = await bucket();
    const watch = runWatcher(src, RUN, { staleAfterMs: 45_000, now: () => NOW });
    expect(await watch()).toMatchObject({ state: 'stalled', progress: { done: 5, total: 9 } });
    expect(lists.filter((p) => p === 'reports/' || p === 'state/').sort()).toEqual(['reports/', 'state/']);
    lists.length = 0;
    await put(`${DIR}/heartbeat.json`, { run_id: RUN, invocation: 2, at: ago(1), progress: { done: 7, total: 9 } });
    expect(await watch()).toMatchObject({ state: 'running', progress: { done: 7, total: 9 }, invocation: 2 });
    expect(lists).toEqual([`${DIR}/`]);
    lists.length = 0;
    const report = oneTaskReport(RUN, ago(300), {
      manifest: { uri: 's3://b/manifests/w.yaml' },
      finished_at: ago(0),
      duration_ms: 300_000,
      counts: { total: 9, created: 9, updated: 0, existing: 0, failed: 0, invalid: 0, not_attempted: 0 },
      stats: { requests: 9, retries: 0, throttled: 0 },
      tasks: [],
    });
    await put(`reports/w/${RUN}/report.json`, report);
    await put(`${DIR}/finished.json`, { run_id: RUN, status: 'succeeded', report: `reports/w/${RUN}` });
    expect(await watch()).toMatchObject({ state: 'succeeded', source: 'report' });
    expect(lists).toEqual([`${DIR}/`]);
  });

  it('a command-line run: no listing after the first look, its report once its live record is gone', async () => {
    const { src, put, lists, base } = await bucket();
    const key = `reports/w/${RUN}.live.json`;
    await put(key, { run_id: RUN, manifest: 'w.yaml', operation: 'apply', started_at: ago(5), at: ago(1), pid: 1 });
    await base.delete(`${DIR}/lock.json`);
    const watch = runWatcher(src, RUN, { staleAfterMs: 45_000, now: () => NOW });
    expect(await watch()).toMatchObject({ state: 'running', source: 'cli' });
    lists.length = 0;
    expect(await watch()).toMatchObject({ state: 'running', source: 'cli' });
    await base.delete(key);
    const report = oneTaskReport(RUN, ago(5), {
      status: 'partial',
      finished_at: ago(0),
      duration_ms: 5000,
      counts: { total: 1, created: 0, updated: 0, existing: 0, failed: 1, invalid: 0, not_attempted: 0 },
      tasks: [],
    });
    await put(`reports/w/${RUN}/report.json`, report);
    expect(await watch()).toMatchObject({ state: 'partial', source: 'report' });
    expect(lists).toEqual([]);
  });

  it('lists the store again when the run’s own keys are gone', async () => {
    const { src, lists, base } = await bucket();
    const watch = runWatcher(src, RUN, { staleAfterMs: 45_000, now: () => NOW });
    await watch();
    lists.length = 0;
    await base.delete(`${DIR}/lock.json`);
    expect(await watch()).toBeUndefined();
    expect(lists).toContain('reports/');
  });
});
