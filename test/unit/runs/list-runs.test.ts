/** Which runs a store holds, from its keys: reports win, open locks only, paging by run id. */
import { describe, expect, it } from 'vitest';
import { localStore } from '../../../lib/storage/local-store.js';
import { findRun, listRuns } from '../../../lib/runs/list-runs.js';
import type { Report } from '../../../lib/report/types.js';
import { tempDir } from '../../helpers/cli.js';
import { oneTaskReport } from '../../helpers/report.js';

const id = (n: number) => `20261128T20382${n}Z-00000${n}`;
const NOW = Date.parse('2026-11-28T20:40:00.000Z');

const report = (runId: string): Report => oneTaskReport(runId, '2026-11-28T20:38:20.000Z');

async function fixture() {
  const store = localStore(await tempDir('fdi-runs-list-'));
  const put = (key: string, value: unknown) => store.put(key, JSON.stringify(value));
  const live = (runId: string, at: string) =>
    put(`reports/w/${runId}.live.json`, {
      run_id: runId,
      manifest: 'w.yaml',
      operation: 'apply',
      started_at: at,
      at,
      pid: 1,
    });
  const lock = (dir: string, runId: string) =>
    put(`state/w/${dir}/lock.json`, {
      owner: runId,
      bucket: 'b',
      key: 'manifests/w.yaml',
      upload_id: dir,
      started_at: '2026-11-28T20:39:59.000Z',
    });
  await put(`reports/w/${id(1)}/report.json`, report(id(1)));
  await put(`reports/w/${id(1)}/summary.md`, '');
  await put('reports/w/latest.json', report(id(1)));
  await live(id(1), '2026-11-28T20:38:20.000Z'); // left behind by a run whose report exists: the report wins
  await live(id(2), '2026-11-28T20:39:59.000Z'); // a command-line run in progress
  await lock('u3', id(3)); // a function run in progress
  await lock('u4', id(4));
  await put('state/w/u4/finished.json', { run_id: id(4) }); // finished: its report is elsewhere, its lock does not count
  await put('state/applied/x.json', {});
  return { store, reportPrefix: 'reports/', statePrefix: 'state/', location: 's3://b' };
}

describe('listRuns', () => {
  it('finds each run once, newest first, from reports, live records and open locks', async () => {
    const page = await listRuns(await fixture(), { limit: 20, staleAfterMs: 45_000, now: NOW });
    expect(page.total).toBe(3);
    expect(page.runs.map((r) => [r.run_id, r.source, r.state])).toEqual([
      [id(3), 'function', 'running'],
      [id(2), 'cli', 'running'],
      [id(1), 'report', 'succeeded'],
    ]);
  });

  it('pages by run id', async () => {
    const src = await fixture();
    const page = await listRuns(src, { limit: 1, offset: 1, staleAfterMs: 45_000, now: NOW });
    expect(page).toMatchObject({ total: 3, offset: 1, limit: 1 });
    expect(page.runs.map((r) => r.run_id)).toEqual([id(2)]);
  });

  it('runs of one second: every page reads the whole second, so pages neither overlap nor skip', async () => {
    const store = localStore(await tempDir('fdi-runs-second-'));
    // Three runs started within one second, their random suffixes in another order than their starts.
    const starts = { b00000: '20:38:20.900', f00000: '20:38:20.100', '900000': '20:38:20.500' };
    for (const [suffix, time] of Object.entries(starts)) {
      const runId = `20261128T203820Z-${suffix}`;
      await store.put(
        `reports/w/${runId}/report.json`,
        JSON.stringify({ ...report(runId), started_at: `2026-11-28T${time}Z` }),
      );
    }
    await store.put(
      `reports/w/${id(9)}/report.json`,
      JSON.stringify({ ...report(id(9)), started_at: '2026-11-28T20:38:29.000Z' }),
    );
    const src = { store, reportPrefix: 'reports/', statePrefix: undefined, location: 'x' };
    const pages = [];
    for (let offset = 0; offset < 4; offset += 1)
      pages.push(
        ...(await listRuns(src, { limit: 1, offset, staleAfterMs: 45_000, now: NOW })).runs.map((r) => r.run_id),
      );
    expect(pages).toEqual([id(9), '20261128T203820Z-b00000', '20261128T203820Z-900000', '20261128T203820Z-f00000']);
  });

  it("a page reads each ended run's run.json, not its report.json; a report without one is still read", async () => {
    const store = localStore(await tempDir('fdi-runs-summary-'));
    const big = '20261128T203821Z-000001';
    const old = '20261128T203822Z-000002';
    // report.json made unreadable: only run.json can have given this run its counts.
    await store.put(`reports/w/${big}/report.json`, 'not json');
    await store.put(`reports/w/${big}/run.json`, JSON.stringify({ ...report(big), tasks: [] }));
    await store.put(`reports/w/${old}/report.json`, JSON.stringify(report(old)));
    const src = { store, reportPrefix: 'reports/', statePrefix: undefined, location: 'x' };
    const page = await listRuns(src, { limit: 20, staleAfterMs: 45_000, now: NOW });
    expect(page.runs.map((r) => [r.run_id, r.state, r.counts?.created])).toEqual([
      [old, 'succeeded', 1],
      [big, 'succeeded', 1],
    ]);
  });

  it('without a state prefix (a report folder), locks are not looked for', async () => {
    const src = { ...(await fixture()), statePrefix: undefined };
    expect((await listRuns(src, { limit: 20, staleAfterMs: 45_000, now: NOW })).total).toBe(2);
  });

  it('finds one run by id, or none', async () => {
    const src = await fixture();
    expect(await findRun(src, id(3), { staleAfterMs: 45_000, now: NOW })).toMatchObject({
      source: 'function',
      invocation: 1,
    });
    expect(await findRun(src, id(4), { staleAfterMs: 45_000, now: NOW })).toBeUndefined();
  });

  it("skips a record without its kind's shape (a report, a live record, a lock) instead of failing the listing", async () => {
    const src = await fixture();
    const put = (key: string, value: unknown) => src.store.put(key, JSON.stringify(value));
    await put(`reports/w/${id(5)}/report.json`, {});
    await put(`reports/w/${id(6)}.live.json`, { run_id: id(6) });
    await put('state/w/u7/lock.json', { owner: id(7) });
    const page = await listRuns(src, { limit: 20, staleAfterMs: 45_000, now: NOW });
    expect(page.runs.map((r) => r.run_id)).toEqual([id(3), id(2), id(1)]);
    expect(await findRun(src, id(5), { staleAfterMs: 45_000, now: NOW })).toBeUndefined();
  });
});
