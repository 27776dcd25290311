/**
 * Invariants measured at the emulator: never more than the configured rate in any second (at --rate 5
 * never 6 requests in a second, allowing for the emulator's own clock), never more in flight than the cap.
 */
import { describe, expect, it } from 'vitest';
import { bulkManifest, runCli, writeManifest } from '../../helpers/cli.js';
import { useEmulator } from '../../helpers/emulator.js';

/** The most arrivals (ms timestamps, ascending) within any window of `windowMs`. */
function peakWithin(arrivals: number[], windowMs: number): number {
  let peak = 0;
  let first = 0;
  for (let i = 0; i < arrivals.length; i++) {
    while ((arrivals[i] as number) - (arrivals[first] as number) >= windowMs) first += 1;
    peak = Math.max(peak, i - first + 1);
  }
  return peak;
}

describe('rate and concurrency limits', () => {
  const fx = useEmulator('fdi-limits-', { latencyMs: 40, jitterMs: 20, seed: 3 });

  it.each([
    [5, 15],
    [20, 60],
    [50, 150],
  ])('--rate %i: never more arrivals than that in any 1-second window at the server (%i tasks)', async (rate, n) => {
    const { emu, dir, env } = fx;
    emu.reset();
    const manifest = await writeManifest(dir, `rate${rate}.yaml`, bulkManifest(n, { prefix: `rate${rate}` }));
    const res = await runCli(['apply', manifest, '--rate', String(rate), '--concurrency', '32', '--report', dir], {
      env,
    });
    expect(res.code, res.stderr).toBe(0);
    const s = emu.stats();
    expect(s.tasksStored).toBe(n);
    // Requests are spaced 1/rate apart, and the (rate+1)-th leaves a second and a guard after the first.
    // The emulator stamps arrivals on this process's event loop, which a loaded machine delays by tens
    // of milliseconds, so the window counted is 950 ms: the limiter's guard against that is proved
    // deterministically in test/unit/traffic/rate-limiter.test.ts.
    expect(peakWithin(emu.arrivals(), 950)).toBeLessThanOrEqual(rate);
    // …and the limit is reached, not undercut: 40 at --rate 50.
    expect(s.peakRequestsPerSecond).toBeGreaterThanOrEqual(Math.floor(rate * 0.8));
  });

  it('requests in flight never exceed --concurrency', async () => {
    const { emu, dir, env } = fx;
    emu.reset();
    const manifest = await writeManifest(dir, 'conc.yaml', bulkManifest(120, { prefix: 'conc' }));
    const res = await runCli(['apply', manifest, '--rate', '1000', '--concurrency', '4', '--report', dir], {
      env,
    });
    expect(res.code).toBe(0);
    const s = emu.stats();
    expect(s.tasksStored).toBe(120);
    expect(s.maxConcurrent).toBeLessThanOrEqual(4);
    expect(s.maxConcurrent).toBeGreaterThanOrEqual(3);
  });

  it('adapts to a server quota below the configured rate: mostly created first time, all created once', async () => {
    const { emu, dir, env } = fx;
    emu.reset();
    emu.configure({ rateQuota: 40, retryAfterSeconds: 1, latencyMs: 5, jitterMs: 0 });
    try {
      const manifest = await writeManifest(dir, 'quota.yaml', bulkManifest(200, { prefix: 'quota' }));
      const res = await runCli(
        ['apply', manifest, '--rate', '80', '--concurrency', '16', '--max-attempts', '10', '--report', dir],
        { env },
      );
      expect(res.code).toBe(0);
      const s = emu.stats();
      expect(s.tasksStored).toBe(200);
      expect(Object.values(s.createsCommitted).every((n) => n === 1)).toBe(true);
      expect(s.throttled).toBeGreaterThan(0);
      expect(s.throttled).toBeLessThan(s.requestsTotal * 0.25);
    } finally {
      emu.configure({ rateQuota: undefined, retryAfterSeconds: undefined, latencyMs: 40, jitterMs: 20 });
    }
  });
});

describe('--burst: the burst the gateway accepts, spent at the start', () => {
  const fx = useEmulator('fdi-burst-', { latencyMs: 10, seed: 5, rateQuota: 50, rateQuotaModel: 'bucket' });

  it('the first second holds the burst and the rate, any later second the rate; no 429 from a bucket gateway', async () => {
    const { emu, dir, env } = fx;
    emu.reset();
    const n = 150;
    const manifest = await writeManifest(dir, 'burst.yaml', bulkManifest(n, { prefix: 'burst' }));
    const res = await runCli(
      ['apply', manifest, '--rate', '50', '--burst', '40', '--concurrency', '64', '--report', dir],
      { env },
    );
    expect(res.code, res.stderr).toBe(0);
    const s = emu.stats();
    expect(s.tasksStored).toBe(n);
    const arrivals = emu.arrivals();
    // The burst leaves at once (the listing went first): more than a second's rate within half a second…
    expect(peakWithin(arrivals, 500)).toBeGreaterThan(50);
    // …never more than burst + rate in any second (950 ms allowing for the emulator's clock, as above),
    // and the gateway's bucket (capacity 50) took them all.
    expect(peakWithin(arrivals, 950)).toBeLessThanOrEqual(40 + 50);
    expect(s.throttled).toBe(0);
    // N/Q is 3 s; with 39 at once the last request arrives about (N + 1 − 39)/Q = 2.2 s after the first.
    const span = (arrivals.at(-1)! - arrivals[0]!) / 1000;
    expect(span).toBeLessThan(2.9);
  });

  it('refuses a burst that is not a whole number of requests, naming the flag', async () => {
    const { dir, env } = fx;
    const manifest = await writeManifest(dir, 'burst-bad.yaml', bulkManifest(2, { prefix: 'burstbad' }));
    const res = await runCli(['apply', manifest, '--burst', '2.5', '--report', dir], { env });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/--burst must be a whole number of requests from 0 to 1000/);
    expect(res.stderr).not.toMatch(/\n\s+at /);
  });
});
