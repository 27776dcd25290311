/** What the writers of a run's sign of life put in it: the writer's stale threshold, the last known progress. */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../lib/logger.js';
import { liveRun } from '../../../lib/runs/live-record.js';
import type { LiveRecord } from '../../../lib/runs/types.js';
import { localStore } from '../../../lib/storage/local-store.js';
import { writeHeartbeat, writeStopped } from '../../../lib/trigger/liveness.js';
import { StateFolder, type Heartbeat } from '../../../lib/trigger/state.js';
import { tempDir } from '../../helpers/cli.js';

const RUN = '20261128T203828Z-1a2b3c';
const LIVENESS = { heartbeatMs: 60_000, staleAfterMs: 180_000 };

async function folder(): Promise<StateFolder> {
  return new StateFolder(localStore(await tempDir('fdi-runs-beats-')), 'state/w/u1');
}

describe("the function's heartbeat", () => {
  it('names the stale threshold of the invocation that wrote it', async () => {
    const state = await folder();
    await writeHeartbeat(state, RUN, 1, LIVENESS, silentLogger(), () => ({ done: 1, total: 3 }));
    expect(await state.get<Heartbeat>('heartbeat.json')).toMatchObject({ stale_after_ms: 180_000 });
    await writeStopped(state, RUN, 1, LIVENESS, []);
    expect(await state.get<Heartbeat>('heartbeat.json')).toMatchObject({ stopped: true, stale_after_ms: 180_000 });
  });
});

describe("the command line's live record", () => {
  it('names its stale threshold: the one given, else at least three beats and the default', async () => {
    const store = localStore(await tempDir('fdi-runs-live-'));
    const record = async (options: { everyMs: number; staleAfterMs?: number }) => {
      const live = liveRun(store, (id) => `${id}.live.json`, {
        manifest: 'w.yaml',
        operation: 'apply',
        log: silentLogger(),
        ...options,
      });
      live.begin(RUN);
      live.planned(3);
      // The record is removed at the end: read it while the run goes.
      await new Promise((r) => setTimeout(r, 50));
      const obj = await store.get(`${RUN}.live.json`);
      await live.end();
      return JSON.parse(Buffer.from(obj!.body).toString('utf8')) as LiveRecord;
    };
    expect((await record({ everyMs: 5_000, staleAfterMs: 180_000 })).stale_after_ms).toBe(180_000);
    expect((await record({ everyMs: 5_000 })).stale_after_ms).toBe(45_000);
    expect((await record({ everyMs: 30_000 })).stale_after_ms).toBe(90_000);
  });
});

describe('a beat that does not know its progress yet carries the last known one', () => {
  const log = silentLogger();
  const seeded = async () => {
    const state = await folder();
    await writeHeartbeat(state, RUN, 1, LIVENESS, log, () => ({ done: 5, total: 9 }));
    return state;
  };

  it("a continuation's or takeover's first beat (before it has planned again)", async () => {
    const state = await seeded();
    await writeHeartbeat(state, RUN, 2, LIVENESS, log);
    expect(await state.get<Heartbeat>('heartbeat.json')).toMatchObject({
      invocation: 2,
      progress: { done: 5, total: 9 },
    });
    // and its periodic beats until it has planned: the progress stays
    await writeHeartbeat(state, RUN, 2, LIVENESS, log, () => undefined);
    expect((await state.get<Heartbeat>('heartbeat.json'))?.progress).toEqual({ done: 5, total: 9 });
    await writeHeartbeat(state, RUN, 2, LIVENESS, log, () => ({ done: 6, total: 9 }));
    expect((await state.get<Heartbeat>('heartbeat.json'))?.progress).toEqual({ done: 6, total: 9 });
  });

  it('the stopped beat: its own progress, never a read of the failing store first', async () => {
    const state = await seeded();
    await writeStopped(state, RUN, 1, LIVENESS, []);
    const beat = await state.get<Heartbeat>('heartbeat.json');
    expect(beat).toMatchObject({ stopped: true });
    expect(beat?.progress).toBeUndefined();
    await writeStopped(state, RUN, 1, LIVENESS, [], () => ({ done: 9, total: 9 }));
    expect((await state.get<Heartbeat>('heartbeat.json'))?.progress).toEqual({ done: 9, total: 9 });
  });

  it("nothing from another run's beat (a re-used upload folder)", async () => {
    const state = await seeded();
    await writeHeartbeat(state, '20261128T210000Z-000000', 1, LIVENESS, log);
    expect((await state.get<Heartbeat>('heartbeat.json'))?.progress).toBeUndefined();
  });
});
