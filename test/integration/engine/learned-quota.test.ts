/**
 * The quota the gateway states in its 429 (docs/PERFORMANCE.md §7), end to end through the engine and
 * the real client against the emulator: a client configured far above a 20/s quota learns it from the
 * first 429s, stays under it from then on, notes it in the report and keeps it for the next
 * invocation, which starts at it and is never throttled, even by a strict sliding-window quota.
 */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../../lib/config.js';
import { connectFdi } from '../../../lib/fdi/client/connect.js';
import { silentLogger } from '../../../lib/logger.js';
import { runManifest } from '../../../lib/run-manifest.js';
import type { Resume, RunState } from '../../../lib/run-types.js';
import { bulkManifest } from '../../helpers/cli.js';
import { useEmulator } from '../../helpers/emulator.js';
import { memoryReader, memorySink } from './memory-io.js';

describe('a quota learned from the gateway’s 429', () => {
  const fx = useEmulator(
    'fdi-learned-',
    {},
    { FDI_PROJECT_ID: 'local-project', FDI_RATE: '200', FDI_MAX_ATTEMPTS: '10' },
  );
  let config: Config;
  beforeAll(() => void (config = loadConfig(fx.env)));
  beforeEach(() => fx.emu.reset());

  async function apply(text: string, resume?: Resume) {
    const out = memorySink('learned');
    const states: RunState[] = [];
    const observer = { ending: async (s: RunState) => void states.push(s) };
    const outcome = await runManifest(
      { mode: 'apply', config, sink: out, observer, resume },
      { reader: memoryReader('learned', text), fdi: connectFdi, logger: silentLogger() },
    );
    expect(outcome.kind).toBe('finished');
    return { report: out.reports[0]!, state: states[states.length - 1]! };
  }

  it('client rate 200 against a 20/s quota: learned at once, few requests throttled, noted and kept', async () => {
    fx.emu.configure({ rateQuota: 20 });
    const t0 = performance.now();
    const { report, state } = await apply(bulkManifest(80, { prefix: 'learn' }));
    const seconds = (performance.now() - t0) / 1000;
    const s = fx.emu.stats();
    expect(report.status).toBe('succeeded');
    expect(s.tasksStored).toBe(80);
    expect(Object.values(s.createsCommitted).every((n) => n === 1)).toBe(true);
    // Before this change the adaptation needed a few one-second windows at 10 × the quota to find it.
    expect(s.throttled).toBeGreaterThan(0);
    expect(s.throttled).toBeLessThanOrEqual(20); // 8 of 90 requests when this was written
    expect(report.notes?.join('\n')).toMatch(/stated its quota in a 429 \(20 requests per second\).*20 requests\/s/);
    expect(state.learnedQuota).toEqual({ limit: 20, periodSeconds: 1 });
    // 82 requests at 20/s: about 4 s, not a stall.
    expect(seconds).toBeLessThan(8);
  });

  it('the next invocation starts at the learned quota: no 429, even from a strict sliding window', async () => {
    fx.emu.configure({ rateQuota: 20, rateQuotaModel: 'window' });
    const resume: Resume = {
      runId: '20261129T000000Z-abcdef',
      startedAt: new Date(),
      invocation: 2,
      results: [],
      stats: { requests: 0, retries: 0, throttled: 0 },
      notes: [],
      learnedQuota: { limit: 20, periodSeconds: 1 },
    };
    const { report, state } = await apply(bulkManifest(45, { prefix: 'resumed' }), resume);
    expect(report.status).toBe('succeeded');
    expect(fx.emu.stats().tasksStored).toBe(45);
    expect(fx.emu.stats().throttled).toBe(0);
    expect(state.learnedQuota).toEqual({ limit: 20, periodSeconds: 1 });
  });
});
