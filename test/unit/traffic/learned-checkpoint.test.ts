/**
 * A learned quota spans invocations: the checkpoint keeps it (lib/trigger/checkpoint.ts) and the next
 * invocation's Resume starts the run's limiter at it.
 */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../lib/logger.js';
import { localStore } from '../../../lib/storage/local-store.js';
import { CheckpointWriter, freshCheckpoint, resumeOf } from '../../../lib/trigger/checkpoint.js';
import { StateFolder, type Checkpoint } from '../../../lib/trigger/state.js';
import { createTraffic } from '../../../lib/traffic/run-traffic.js';
import { tempDir } from '../../helpers/cli.js';

const LOCK = {
  owner: '20260301T080000Z-c0ffee',
  bucket: 'bucket',
  key: 'manifests/wave1.yaml',
  upload_id: 'upload-1',
  started_at: '2026-03-01T08:00:00.000Z',
};

describe('a learned quota in the checkpoint', () => {
  it('is saved with the run state and handed to the next invocation', async () => {
    const folder = new StateFolder(localStore(await tempDir('fdi-learned-')), 'state/wave1/upload-1');
    const writer = new CheckpointWriter(folder, freshCheckpoint(LOCK, 1), [], silentLogger());
    await writer.settle({
      stats: { requests: 10, retries: 1, throttled: 1 },
      notes: ['learned'],
      learnedQuota: { limit: 120, periodSeconds: 60 },
    });
    const saved = (await folder.get<Checkpoint>('checkpoint.json'))!;
    expect(saved.learned_quota).toEqual({ limit: 120, period_s: 60 });
    const resume = resumeOf({ ...saved, invocation: 2 }, []);
    expect(resume.learnedQuota).toEqual({ limit: 120, periodSeconds: 60 });

    // The next invocation's traffic starts at it (paced: 2/s), under its configured rate.
    const limits = { concurrency: 8, rate: 20, maxAttempts: 5, timeoutMs: 1000 };
    const traffic = createTraffic(limits, { log: silentLogger(), learned: resume.learnedQuota });
    expect(traffic.scheduler.limiter.rate).toBe(2);
    expect(traffic.learned()).toEqual({ limit: 120, periodSeconds: 60 });
  });

  it('a checkpoint without one (or a damaged one) resumes without', () => {
    const base = freshCheckpoint(LOCK, 1);
    expect(resumeOf(base, []).learnedQuota).toBeUndefined();
    expect(resumeOf({ ...base, learned_quota: { limit: 0, period_s: 1 } }, []).learnedQuota).toBeUndefined();
  });
});
