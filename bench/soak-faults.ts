/**
 * bench:soak (faults) — the fault matrix of test/reliability/fault-matrix.test.ts at soak scale: every
 * fault kind alone at a high rate and all of them together, over thousands of tasks, for as many rounds
 * (or hours) as asked, each round with new seeds. Prints one table per round and a summary; exits 1 when
 * any invariant was violated. See docs/RELIABILITY.md.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { FAULT_KINDS, startEmulator, type FaultKind } from '../emulator/index.js';
import { bulkManifest, latestLocalReport, runCli, tempDir, writeManifest } from '../test/helpers/cli.js';
import { STACK_TRACE, bulkNames } from '../test/reliability/process.js';
import { benchArgs } from './common/args.js';
import { fmt, printSection, secs, table, type Cell } from './common/format.js';
import { loadLine, printHeader } from './common/machine.js';
import { requireBuild } from './common/proc.js';
import { describeVerdict, instancesFor, soakClock, verdict } from './soak-common.js';

export interface FaultSoakOptions {
  n: number;
  rate: number;
  all: number;
  rounds: number;
  hours: number;
  seed: number;
}

interface CaseResult {
  label: string;
  ok: boolean;
  row: Cell[];
  tasks: number;
  requests: number;
  faults: number;
  duplicates: number;
}

async function runCase(
  label: string,
  faults: Partial<Record<FaultKind, number>>,
  n: number,
  seed: number,
): Promise<CaseResult> {
  const instances = instancesFor(n);
  const emu = await startEmulator({ instances, seed, hangMs: 1500, latencyMs: 2, jitterMs: 5, faults });
  try {
    const dir = await tempDir('fdi-soak-faults-');
    const prefix = `soak${seed}`;
    const manifest = await writeManifest(dir, 'soak.yaml', bulkManifest(n, { prefix, instances }));
    const reports = path.join(dir, 'reports');
    const started = performance.now();
    const res = await runCli(['apply', manifest, '--report', reports], {
      env: {
        FDI_ENDPOINT: emu.url,
        FDI_AUTH_TOKEN: 'local-token',
        FDI_TIMEOUT_MS: faults.hang ? '300' : '2000',
        FDI_RATE: '500',
        FDI_CONCURRENCY: '16',
        FDI_MAX_ATTEMPTS: '20',
      },
      timeoutMs: 3_600_000,
    });
    const ms = performance.now() - started;
    const report = await latestLocalReport(reports, manifest).catch(() => undefined);
    const v = verdict(emu, bulkNames(n, prefix, instances), report);
    const stats = emu.stats();
    const injected = Object.values(stats.faultsInjected).reduce((a, b) => a + b, 0);
    const ok = v.ok && res.code === 0 && !STACK_TRACE.test(res.stderr);
    const c = report?.counts;
    return {
      label,
      ok,
      tasks: n,
      requests: stats.requestsTotal,
      faults: injected,
      duplicates: v.duplicates,
      row: [
        label,
        n,
        res.code ?? 'killed',
        secs(ms),
        fmt(n / (ms / 1000), 0),
        stats.requestsTotal,
        report?.stats.retries,
        injected,
        c?.created,
        c?.failed,
        v.duplicates,
        ok ? 'ok' : `FAIL ${describeVerdict(v)}${res.code !== 0 ? ` exit=${res.code}` : ''}`,
      ],
    };
  } finally {
    await emu.close();
  }
}

/** Runs the soak; returns whether every invariant held in every round. */
export async function soakFaults(o: FaultSoakOptions): Promise<boolean> {
  requireBuild();
  printHeader('soak: fault matrix', { ...o });
  const cases: [string, Partial<Record<FaultKind, number>>][] = [
    ...FAULT_KINDS.map((k): [string, Partial<Record<FaultKind, number>>] => [
      `${k} ${Math.round(o.rate * 100)}%`,
      { [k]: o.rate },
    ]),
    [
      `all kinds, ${Math.round(o.all * 100)}% together`,
      Object.fromEntries(FAULT_KINDS.map((k) => [k, o.all / FAULT_KINDS.length])),
    ],
  ];
  const clock = soakClock(o.hours);
  const totals = { rounds: 0, cases: 0, failed: 0, tasks: 0, requests: 0, faults: 0, duplicates: 0 };
  const more = (round: number) => round < o.rounds || (o.hours > 0 && clock.more(round));
  for (let round = 0; more(round); round++) {
    const rows: Cell[][] = [];
    for (const [i, [label, faults]] of cases.entries()) {
      const r = await runCase(label, faults, o.n, o.seed + round * 100 + i);
      rows.push(r.row);
      totals.cases += 1;
      totals.failed += r.ok ? 0 : 1;
      totals.tasks += r.tasks;
      totals.requests += r.requests;
      totals.faults += r.faults;
      totals.duplicates += r.duplicates;
    }
    totals.rounds += 1;
    printSection(
      `round ${round + 1}`,
      table(
        [
          'faults',
          'tasks',
          'exit',
          'time',
          'tasks/s',
          'requests',
          'retries',
          'faults injected',
          'created',
          'failed',
          'duplicates',
          'invariants',
        ],
        rows,
      ),
    );
  }
  printSection(
    'summary',
    table(
      ['rounds', 'cases', 'tasks', 'requests', 'faults injected', 'duplicates', 'cases violating an invariant', 'time'],
      [
        [
          totals.rounds,
          totals.cases,
          totals.tasks,
          totals.requests,
          totals.faults,
          totals.duplicates,
          totals.failed,
          secs(clock.elapsedMs()),
        ],
      ],
    ),
    [loadLine('at end')],
  );
  return totals.failed === 0;
}

export const FAULT_SOAK_ARGS = {
  n: { full: 2000, quick: 200, help: 'tasks per case' },
  rate: { full: 0.3, help: 'probability of a fault kind alone' },
  all: { full: 0.5, help: 'total probability when all kinds are on together' },
  rounds: { full: 1, help: 'rounds of the whole matrix (new seeds each round)' },
  hours: { full: 0, help: 'keep starting rounds until this many hours have passed' },
  seed: { full: 1, help: 'first seed' },
} as const;

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = benchArgs('npx tsx bench/soak-faults.ts [--quick] [--n 2000 --rounds 3 --hours 2 …]', FAULT_SOAK_ARGS);
  process.exitCode = (await soakFaults(args)) ? 0 : 1;
}
