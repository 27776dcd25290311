/**
 * Crash and resume: `apply` is SIGKILLed at seeded random points once its creates are arriving, several
 * times in a row, then run to completion. Creates that were in flight when the process died still
 * commit in the emulator (as a real backend carries on), so the re-run must find them by name and never
 * create twice. After the final run the emulator holds exactly the manifest's tasks, once each, and the
 * final report accounts for every task.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mulberry32, startEmulator, type EmulatorOptions } from '../../emulator/index.js';
import { bulkManifest, latestLocalReport, runCli, tempDir, writeManifest } from '../helpers/cli.js';
import { STACK_TRACE, expectExactlyOnce, expectReportAccountsForAll } from './helpers.js';
import { bulkNames, collect, createAttemptsSoFar, firstCreateArrived, spawnCli } from './process.js';

const INSTANCES = ['local-instance', 'local-instance-2'];

interface KillRecord {
  delayMs: number;
  /** Whether the SIGKILL landed (false: the run finished first). */
  killed: boolean;
  storedAtKill: number;
}

interface Scenario {
  seed: number;
  n: number;
  kills: number;
  maxDelayMs: number;
  emulator: EmulatorOptions;
}

async function crashAndResume(s: Scenario): Promise<void> {
  const emu = await startEmulator({ instances: INSTANCES, seed: s.seed, ...s.emulator });
  try {
    const dir = await tempDir('fdi-crash-');
    const prefix = `crash${s.seed}`;
    const manifest = await writeManifest(dir, 'crash.yaml', bulkManifest(s.n, { prefix, instances: INSTANCES }));
    const reports = path.join(dir, 'reports');
    const env = {
      FDI_ENDPOINT: emu.url,
      FDI_AUTH_TOKEN: 'local-token',
      FDI_RATE: '400',
      FDI_CONCURRENCY: '8',
      FDI_TIMEOUT_MS: '2000',
      FDI_MAX_ATTEMPTS: '10',
    };
    const random = mulberry32(s.seed);
    const kills: KillRecord[] = [];

    for (let k = 0; k < s.kills; k++) {
      const child = spawnCli(['apply', manifest, '--report', reports], env);
      let ended = false;
      const done = collect(child, 60_000).finally(() => (ended = true));
      await firstCreateArrived(emu, createAttemptsSoFar(emu), () => ended);
      const delayMs = Math.floor(random() * s.maxDelayMs);
      const timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
      const out = await done;
      clearTimeout(timer);
      const killed = out.signal === 'SIGKILL';
      kills.push({ delayMs, killed, storedAtKill: emu.stats().tasksStored });
      if (!killed) {
        expect(out.code, out.stderr).toBe(0);
        break;
      }
    }

    // The kills landed mid-run: some tasks were stored, not all.
    const landed = kills.filter((k) => k.killed);
    expect(landed.length, JSON.stringify(kills)).toBeGreaterThanOrEqual(Math.min(2, s.kills));
    expect(landed[0].storedAtKill).toBeGreaterThan(0);
    expect(landed[0].storedAtKill).toBeLessThan(s.n);
    // Creates were in flight when the process died (the client left before the answer) …
    const abandoned = emu.stats().requests['POST /tasks']?.aborted ?? 0;
    expect(abandoned, 'creates in flight at a kill').toBeGreaterThan(0);

    const final = await runCli(['apply', manifest, '--report', reports], { env });
    expect(final.stderr).not.toMatch(STACK_TRACE);
    expect(final.code, final.stderr).toBe(0);

    // … and yet every name was committed exactly once, and nothing else.
    const names = bulkNames(s.n, prefix, INSTANCES);
    expectExactlyOnce(emu, names);
    const report = await latestLocalReport(reports, manifest);
    expectReportAccountsForAll(report, names);
    expect(report.status).toBe('succeeded');
    expect(report.counts.created + report.counts.existing).toBe(s.n);
    expect(report.counts).toMatchObject({ failed: 0, not_attempted: 0, invalid: 0 });
    // What the killed runs left behind is found as existing, not created again.
    expect(report.counts.existing).toBeGreaterThanOrEqual(landed.at(-1)!.storedAtKill);
    const stored = new Map(emu.tasks().map((t) => [t.task_name, t.task_id]));
    for (const t of report.tasks) expect(t.task_id, t.name).toBe(stored.get(t.name));
  } finally {
    await emu.close();
  }
}

describe('crash and resume (SIGKILL of apply at seeded random points)', () => {
  it('four kills in a row, then a run to completion: every task once', () =>
    crashAndResume({ seed: 11, n: 400, kills: 4, maxDelayMs: 500, emulator: { latencyMs: 20, jitterMs: 30 } }));

  it('kills under ambiguous faults (500 after commit, resets, hangs): every task once', () =>
    crashAndResume({
      seed: 29,
      n: 300,
      kills: 3,
      maxDelayMs: 600,
      emulator: {
        latencyMs: 15,
        jitterMs: 30,
        hangMs: 1500,
        faults: { '500-after-commit': 0.1, reset: 0.05, '500': 0.05, hang: 0.02 },
      },
    }));
});
