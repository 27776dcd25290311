/**
 * The fault matrix: each fault kind of the emulator alone at a high rate, then all of them together,
 * through the compiled CLI. Whatever the fault, every name is created exactly once (the emulator's own
 * commit counter), every task appears in the report exactly once, and the report agrees with what the
 * emulator stores.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAULT_KINDS, startEmulator, type EmulatorOptions, type FaultKind } from '../../emulator/index.js';
import { bulkManifest, latestLocalReport, runCli, tempDir, writeManifest } from '../helpers/cli.js';
import { STACK_TRACE, expectExactlyOnce, expectReportAccountsForAll } from './helpers.js';
import { bulkNames } from './process.js';

const N = 60;
const INSTANCES = ['local-instance', 'local-instance-2'];
/** Faults that fail a create before it commits, so the same name is sent again (after a lookup when ambiguous). */
const FAILS_BEFORE_COMMIT: ReadonlySet<FaultKind> = new Set(['500', '502', '503', '504', 'reset', 'hang', '429']);

interface Case {
  label: string;
  faults: Partial<Record<FaultKind, number>>;
  seed: number;
}

const SINGLE: Case[] = FAULT_KINDS.map((kind, i) => ({ label: kind, faults: { [kind]: 0.3 }, seed: 101 + i }));
/**
 * Every kind at once: 40% of all requests fail one way or another. (At 50% the longest failure streaks
 * push single tasks deep into the capped backoff and the case takes half a minute; the soak runs that.)
 */
const ALL: Case = {
  label: 'all kinds together',
  faults: Object.fromEntries(FAULT_KINDS.map((k) => [k, 0.4 / FAULT_KINDS.length])),
  seed: 4242,
};

/**
 * `detailForm`: FDI answers task_detail in its response form (RawFormDataResponse) by default, so the
 * read-back after an ambiguous create cannot compare the detail and the task's own fields decide.
 */
async function runCase(c: Case, n = N, detailForm: EmulatorOptions['detailForm'] = 'response'): Promise<void> {
  const options: EmulatorOptions = {
    detailForm,
    instances: INSTANCES,
    seed: c.seed,
    hangMs: 1500,
    latencyMs: 1,
    jitterMs: 3,
    faults: c.faults,
  };
  const emu = await startEmulator(options);
  try {
    const dir = await tempDir('fdi-faults-');
    const prefix = `fm${c.seed}`;
    const manifest = await writeManifest(dir, 'faults.yaml', bulkManifest(n, { prefix, instances: INSTANCES }));
    const reports = path.join(dir, 'reports');
    const res = await runCli(['apply', manifest, '--report', reports], {
      env: {
        FDI_ENDPOINT: emu.url,
        FDI_AUTH_TOKEN: 'local-token',
        FDI_TIMEOUT_MS: c.faults.hang ? '300' : '2000',
        FDI_RATE: '500',
        FDI_CONCURRENCY: '16',
        FDI_MAX_ATTEMPTS: '20',
      },
    });
    expect(res.stderr).not.toMatch(STACK_TRACE);
    expect(res.code, res.stderr).toBe(0);

    const names = bulkNames(n, prefix, INSTANCES);
    const stats = emu.stats();
    const report = await latestLocalReport(reports, manifest);
    // The faults really happened, and the ambiguous ones hit creates.
    for (const kind of Object.keys(c.faults))
      expect(stats.faultsInjected[kind] ?? 0, `${kind} injected`).toBeGreaterThan(0);
    if (Object.keys(c.faults).some((k) => FAILS_BEFORE_COMMIT.has(k as FaultKind))) {
      expect(
        Object.values(stats.createAttempts).some((a) => a > 1),
        'some create was attempted again',
      ).toBe(true);
      expect(report.stats.retries).toBeGreaterThan(0);
    }
    if (c.faults['500-after-commit']) {
      // A 500 after the commit is resolved by looking the name up (a listing beyond the planning ones), not by sending it again.
      const lists = Object.values(stats.requests['GET /tasks'] ?? {}).reduce((a, b) => a + b, 0);
      expect(lists).toBeGreaterThan(INSTANCES.length);
    }
    expectExactlyOnce(emu, names);

    expectReportAccountsForAll(report, names);
    expect(report.status).toBe('succeeded');
    expect(report.counts).toMatchObject({ total: n, created: n, existing: 0, failed: 0, not_attempted: 0 });
    // Every ID in the report is the ID the emulator stored under that name.
    const stored = new Map(emu.tasks().map((t) => [t.task_name, t.task_id]));
    for (const t of report.tasks) expect(t.task_id, t.name).toBe(stored.get(t.name));
    if (c.faults['429']) expect(report.stats.throttled).toBeGreaterThan(0);
  } finally {
    await emu.close();
  }
}

describe.concurrent('fault matrix (CLI apply against the emulator)', () => {
  it.each(SINGLE)('$label alone at 30%: every name once, every task reported once', (c) => runCase(c));
  it.each(['response', 'request'] as const)(
    `${ALL.label} (40% of requests), details answered in %s form: every name once, every task reported once`,
    (form) => runCase(ALL, 120, form),
  );
});
