/**
 * Verification driven through the orchestrator (docs/VERIFY.md): the upload trigger's case, where only
 * the manifest's options.verify asks for it and the invocation's deadline stops it; SIGINT stops it
 * too; and the monitor reads ride out faults under the run's retry policy.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index.js';
import { loadConfig, type Config } from '../../../lib/config.js';
import { connectFdi } from '../../../lib/fdi/client/connect.js';
import { silentLogger } from '../../../lib/logger.js';
import { runManifest } from '../../../lib/run-manifest.js';
import type { ApplyRequest } from '../../../lib/run-types.js';
import { routeCount } from '../../helpers/emulator.js';
import { memoryReader, memorySink } from './memory-io.js';
import { timingManifest } from './timing-manifest.js';

describe('verification through the orchestrator', () => {
  let emu: Emulator;
  let config: Config;
  let out: ReturnType<typeof memorySink>;

  beforeAll(async () => {
    emu = await startEmulator({ seed: 3 });
    config = loadConfig({
      FDI_ENDPOINT: emu.url,
      FDI_AUTH_TOKEN: 'local-token',
      FDI_PROJECT_ID: 'local-project',
      FDI_INSTANCE_ID: 'local-instance',
      FDI_RATE: '200',
      FDI_TIMEOUT_MS: '500',
      FDI_MAX_ATTEMPTS: '10',
    });
  });
  afterAll(() => emu.close());
  beforeEach(() => {
    emu.reset();
    out = memorySink('verify');
  });

  const apply = (text: string, req: Partial<ApplyRequest> = {}) =>
    runManifest(
      { mode: 'apply', config, sink: out, ...req },
      { reader: memoryReader('verify', text), fdi: connectFdi, logger: silentLogger() },
    );

  it('the invocation deadline stops waiting: the run finishes (no suspension) with running rows', async () => {
    emu.configure({ executionMs: 30_000 });
    const deadline = new AbortController();
    let verifying = 0;
    const text = timingManifest(3, { prefix: 'vs-dl', extra: 'options: { verify: 600 }' });
    const t0 = Date.now();
    const outcome = await apply(text, {
      deadline: deadline.signal,
      observer: {
        verifying: () => {
          verifying += 1;
          setTimeout(() => deadline.abort(), 800);
        },
      },
    });
    expect(Date.now() - t0).toBeLessThan(6000);
    expect(verifying).toBe(1);
    expect(outcome.kind).toBe('finished');
    expect(out.reports).toHaveLength(1);
    const report = out.reports[0]!;
    expect(report.verify).toMatchObject({ timeout_s: 600, ended: 'stopped', healthy: false, counts: { running: 3 } });
    expect(report.tasks.every((t) => t.execution?.state === 'running' && !t.execution.healthy)).toBe(true);
  });

  it('SIGINT during verification ends it at once and the report is still written', async () => {
    emu.configure({ executionMs: 30_000 });
    const signal = new AbortController();
    const t0 = Date.now();
    const outcome = await apply(timingManifest(2, { prefix: 'vs-int' }), {
      verify: { timeoutMs: 600_000 },
      signal: signal.signal,
      observer: { verifying: () => void setTimeout(() => signal.abort(), 500) },
    });
    expect(Date.now() - t0).toBeLessThan(6000);
    expect(outcome.kind).toBe('finished');
    expect(out.reports[0]?.verify).toMatchObject({ ended: 'stopped', tasks: 2 });
  });

  it('the monitor reads ride out faults: every execution is still seen to its end', async () => {
    emu.configure({ executionMs: 300, executionFailShare: 0.3, executionSeed: 9 });
    const text = timingManifest(12, { prefix: 'vs-flt' });
    const outcome = await apply(text, {
      verify: { timeoutMs: 30_000 },
      observer: {
        verifying: () => emu.configure({ faults: { '500': 0.2, '503': 0.1, reset: 0.1, '429': 0.05 } }),
      },
    });
    emu.configure({ faults: {} });
    expect(outcome.kind).toBe('finished');
    const report = out.reports[0]!;
    expect(routeCount(emu, 'GET /task-monitors')).toBeGreaterThan(0);
    expect(report.stats.retries).toBeGreaterThan(0);
    expect(report.verify).toMatchObject({ ended: 'settled', tasks: 12 });
    expect(report.verify!.counts.succeeded + report.verify!.counts.failed).toBe(12);
    for (const t of report.tasks.filter((x) => x.execution?.state === 'failed'))
      expect(t.execution?.remarks).toMatch(/^Simulated failure/);
  });
});
