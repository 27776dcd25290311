/**
 * The trigger's checkpoint (lib/trigger/checkpoint.ts) over a real StateFolder on a local object
 * store: what ends up in checkpoint.json after `record` and `settle`, and the continuation object.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../../lib/logger.js';
import type { TaskResult } from '../../../lib/report/types.js';
import type { RunState } from '../../../lib/run-types.js';
import { localStore } from '../../../lib/storage/local-store.js';
import type { ObjectStore } from '../../../lib/storage/object-store.js';
import { CheckpointWriter, freshCheckpoint, resumeOf } from '../../../lib/trigger/checkpoint.js';
import { StateFolder, type Checkpoint, type Continuation, type Lock } from '../../../lib/trigger/state.js';
import { tempDir } from '../../helpers/cli.js';

const DIR = 'state/team/wave1/upload-1';
const LOCK: Lock = {
  owner: '20260301T080000Z-c0ffee',
  bucket: 'bucket',
  key: 'manifests/team/wave1.yaml',
  upload_id: 'upload-1',
  started_at: '2026-03-01T08:00:00.000Z',
};
const TARGET = { project_id: 'p', instance_id: 'i' };

const result = (index: number, extra: Partial<TaskResult> = {}): TaskResult => ({
  index,
  name: `task-${index}`,
  status: 'created',
  task_id: `id-${index}`,
  attempts: 1,
  line: 10 + index,
  target: TARGET,
  ...extra,
});

const state = (requests: number, notes: string[] = []): RunState => ({
  stats: { requests, retries: 1, throttled: 2 },
  manifestSha256: 'a'.repeat(64),
  notes,
});

describe('CheckpointWriter', () => {
  let store: ObjectStore;
  let folder: StateFolder;
  beforeEach(async () => {
    store = localStore(await tempDir('fdi-checkpoint-'));
    folder = new StateFolder(store, DIR);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const saved = () => folder.get<Checkpoint>('checkpoint.json');
  /** Lets a save started without waiting (record) reach the store, or show that none was started. */
  const settleIo = () => new Promise((resolve) => setTimeout(resolve, 50));

  it('settle(): checkpoint.json holds the run, its final results, counters, manifest hash and notes', async () => {
    const checkpoint = freshCheckpoint(LOCK, 2);
    checkpoint.results = [result(0, { note: 'from invocation 1' })];
    const writer = new CheckpointWriter(folder, checkpoint, ['A note of invocation 1.'], silentLogger());

    writer.record(result(1), { final: true, state: () => state(1) });
    // Not final (cut off by a stop): a later invocation redoes it, so it is not kept.
    writer.record(result(2, { status: 'failed', error_code: 'ABORTED' }), { final: false, state: () => state(2) });
    writer.record(result(3, { status: 'existing' }), { final: true, state: () => state(3) });
    await writer.settle(state(9, ['A note of invocation 1.', 'A note of invocation 2.']));

    const cp = await saved();
    expect(cp).toEqual({
      run_id: LOCK.owner,
      started_at: LOCK.started_at,
      invocation: 2,
      bucket: 'bucket',
      key: 'manifests/team/wave1.yaml',
      upload_id: 'upload-1',
      stats: { requests: 9, retries: 1, throttled: 2 },
      manifest_sha256: 'a'.repeat(64),
      notes: ['A note of invocation 1.', 'A note of invocation 2.'],
      results: expect.any(Array),
    });
    expect(cp!.results.map((r) => [r.index, r.status]).sort()).toEqual([
      [0, 'created'],
      [1, 'created'],
      [3, 'existing'],
    ]);
    expect(cp!.results.find((r) => r.index === 0)?.note).toBe('from invocation 1');
    expect(await store.list('state/')).toEqual([`${DIR}/checkpoint.json`]);

    // What the next invocation resumes from: the saved checkpoint, its notes first, each once.
    const resume = resumeOf(cp!, ['A note of invocation 2.', 'A note of invocation 3.']);
    expect(resume).toMatchObject({
      runId: LOCK.owner,
      startedAt: new Date(LOCK.started_at),
      invocation: 2,
      stats: { requests: 9, retries: 1, throttled: 2 },
      manifestSha256: 'a'.repeat(64),
      notes: ['A note of invocation 1.', 'A note of invocation 2.', 'A note of invocation 3.'],
    });
    expect(resume.results).toHaveLength(3);
  });

  it('record(): nothing is saved before 100 final results; the 100th saves them with the state of then', async () => {
    const writer = new CheckpointWriter(folder, freshCheckpoint(LOCK, 1), [], silentLogger());
    let now = state(0);
    const progress = (final: boolean) => ({ final, state: () => now });

    for (let i = 0; i < 99; i++) {
      now = state(i + 1);
      writer.record(result(i), progress(true));
    }
    // Non-final results do not count towards the 100.
    for (let i = 99; i < 120; i++) writer.record(result(i, { status: 'failed' }), progress(false));
    await settleIo();
    expect(await saved()).toBeUndefined();

    now = state(100, ['saved at the 100th']);
    writer.record(result(120), progress(true));
    await vi.waitFor(async () => expect(await saved()).toBeDefined(), { timeout: 2_000, interval: 10 });

    const cp = (await saved())!;
    expect(cp.results).toHaveLength(100);
    expect(new Set(cp.results.map((r) => r.index))).toEqual(new Set([...Array.from({ length: 99 }, (_, i) => i), 120]));
    expect(cp.stats).toEqual({ requests: 100, retries: 1, throttled: 2 });
    expect(cp.manifest_sha256).toBe('a'.repeat(64));
    expect(cp.notes).toEqual(['saved at the 100th']);
    expect(cp.invocation).toBe(1);

    // The count starts again: the next 99 save nothing more.
    for (let i = 121; i < 220; i++) writer.record(result(i), progress(true));
    await settleIo();
    expect((await saved())!.results).toHaveLength(100);
  });

  it('record(): a final result 10 s after the last save saves, however few came in', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-01T08:00:00Z'));
    const writer = new CheckpointWriter(folder, freshCheckpoint(LOCK, 1), [], silentLogger());

    writer.record(result(0), { final: true, state: () => state(1) });
    vi.setSystemTime(new Date('2026-03-01T08:00:09Z'));
    writer.record(result(1), { final: true, state: () => state(2) });
    await settleIo();
    expect(await saved()).toBeUndefined();

    vi.setSystemTime(new Date('2026-03-01T08:00:10.001Z'));
    writer.record(result(2), { final: true, state: () => state(3) });
    await vi.waitFor(async () => expect(await saved()).toBeDefined(), { timeout: 2_000, interval: 10 });
    const cp = (await saved())!;
    expect(cp.results.map((r) => r.index).sort()).toEqual([0, 1, 2]);
    expect(cp.stats.requests).toBe(3);
  });

  it('a store that fails: settle() resolves anyway (a checkpoint never fails the run)', async () => {
    const failing: ObjectStore = {
      ...store,
      put: () => Promise.reject(new Error('storage unavailable')),
    };
    const log = silentLogger();
    const warn = vi.spyOn(log, 'warn');
    const writer = new CheckpointWriter(new StateFolder(failing, DIR), freshCheckpoint(LOCK, 1), [], log);
    writer.record(result(0), { final: true, state: () => state(1) });

    await expect(writer.settle(state(1))).resolves.toBeUndefined();
    expect(warn).toHaveBeenCalledWith({ err: 'storage unavailable' }, 'checkpoint not saved');
    expect(await store.list('')).toEqual([]);
  });

  it('continueInNextInvocation(): writes <n+1>.continue naming the run', async () => {
    const writer = new CheckpointWriter(folder, freshCheckpoint(LOCK, 2), [], silentLogger());
    const next = await writer.continueInNextInvocation();
    expect(next).toEqual({ key: `${DIR}/3.continue`, invocation: 3 });
    expect(await folder.get<Continuation>('3.continue')).toEqual({
      bucket: 'bucket',
      key: 'manifests/team/wave1.yaml',
      upload_id: 'upload-1',
      run_id: LOCK.owner,
      invocation: 3,
    });
  });
});
