/**
 * bench:soak (crash) — test/reliability/crash-resume.test.ts at soak scale: `apply` of thousands of tasks
 * is SIGKILLed at seeded random points many times in a row (optionally under ambiguous faults), then run
 * to completion; the emulator must hold exactly the manifest's tasks, once each. Rounds repeat with new
 * seeds for --rounds or --hours. Prints a table per round and a summary; exits 1 on any violation.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { mulberry32, startEmulator, type FaultKind } from '../emulator/index.js';
import { bulkManifest, latestLocalReport, runCli, tempDir, writeManifest } from '../test/helpers/cli.js';
import { bulkNames, collect, createAttemptsSoFar, firstCreateArrived, spawnCli } from '../test/reliability/process.js';
import { benchArgs } from './common/args.js';
import { fmt, printSection, secs, table, type Cell } from './common/format.js';
import { loadLine, printHeader } from './common/machine.js';
import { requireBuild } from './common/proc.js';
import { describeVerdict, instancesFor, soakClock, verdict } from './soak-common.js';

export interface CrashSoakOptions {
  n: number;
  kills: number;
  maxDelay: number;
  faults: number;
  rounds: number;
  hours: number;
  seed: number;
}

interface RoundResult {
  row: Cell[];
  ok: boolean;
  killsLanded: number;
  abandoned: number;
  duplicates: number;
}

async function round(o: CrashSoakOptions, seed: number): Promise<RoundResult> {
  const instances = instancesFor(o.n);
  // Ambiguous faults only: each can leave a create committed without the client knowing.
  const f = o.faults;
  const faults: Partial<Record<FaultKind, number>> =
    f > 0 ? { '500-after-commit': f * 0.4, '500': f * 0.2, reset: f * 0.2, '503': f * 0.1, hang: f * 0.1 } : {};
  const emu = await startEmulator({ instances, seed, latencyMs: 10, jitterMs: 20, hangMs: 1500, faults });
  const started = performance.now();
  try {
    const dir = await tempDir('fdi-soak-crash-');
    const prefix = `crash${seed}`;
    const manifest = await writeManifest(dir, 'crash.yaml', bulkManifest(o.n, { prefix, instances }));
    const reports = path.join(dir, 'reports');
    const env = {
      FDI_ENDPOINT: emu.url,
      FDI_AUTH_TOKEN: 'local-token',
      FDI_RATE: '500',
      FDI_CONCURRENCY: '16',
      FDI_TIMEOUT_MS: '1000',
      FDI_MAX_ATTEMPTS: '12',
    };
    const random = mulberry32(seed);
    let landed = 0;
    let finishedEarly = 0;
    for (let k = 0; k < o.kills; k++) {
      const child = spawnCli(['apply', manifest, '--report', reports], env);
      let ended = false;
      const done = collect(child, 3_600_000).finally(() => (ended = true));
      await firstCreateArrived(emu, createAttemptsSoFar(emu), () => ended);
      const timer = setTimeout(() => child.kill('SIGKILL'), Math.floor(random() * o.maxDelay));
      const out = await done;
      clearTimeout(timer);
      if (out.signal === 'SIGKILL') landed += 1;
      else finishedEarly += 1;
      // Once a run completes, nothing is left to interrupt: the next kill would only hit planning.
      if (out.signal !== 'SIGKILL' && emu.stats().tasksStored === o.n) break;
    }
    const abandoned = emu.stats().requests['POST /tasks']?.aborted ?? 0;
    const final = await runCli(['apply', manifest, '--report', reports], { env, timeoutMs: 3_600_000 });
    const report = await latestLocalReport(reports, manifest).catch(() => undefined);
    const v = verdict(emu, bulkNames(o.n, prefix, instances), report);
    const stats = emu.stats();
    const c = report?.counts;
    const ok = v.ok && final.code === 0 && c !== undefined && c.created + c.existing === o.n;
    return {
      ok,
      killsLanded: landed,
      abandoned,
      duplicates: v.duplicates,
      row: [
        seed,
        o.n,
        landed,
        finishedEarly,
        abandoned,
        stats.duplicateNameRejections,
        Object.keys(stats.createsCommitted).length,
        c?.existing,
        c?.created,
        final.code ?? 'killed',
        secs(performance.now() - started),
        ok ? 'ok' : `FAIL ${describeVerdict(v)}`,
      ],
    };
  } finally {
    await emu.close();
  }
}

export async function soakCrash(o: CrashSoakOptions): Promise<boolean> {
  requireBuild();
  printHeader('soak: crash and resume', { ...o });
  const clock = soakClock(o.hours);
  const rows: Cell[][] = [];
  const totals = { rounds: 0, failed: 0, kills: 0, abandoned: 0, duplicates: 0 };
  const more = (r: number) => r < o.rounds || (o.hours > 0 && clock.more(r));
  for (let r = 0; more(r); r++) {
    const res = await round(o, o.seed + r);
    rows.push(res.row);
    totals.rounds += 1;
    totals.failed += res.ok ? 0 : 1;
    totals.kills += res.killsLanded;
    totals.abandoned += res.abandoned;
    totals.duplicates += res.duplicates;
    process.stdout.write(
      `round ${r + 1}: ${res.ok ? 'ok' : 'FAIL'} (${res.killsLanded} kills, ${res.abandoned} creates in flight at a kill)\n`,
    );
  }
  printSection(
    'rounds',
    table(
      [
        'seed',
        'tasks',
        'kills landed',
        'runs that finished first',
        'creates in flight at a kill',
        'creates refused as duplicate names',
        'names committed',
        'final: existing',
        'final: created',
        'final exit',
        'time',
        'invariants',
      ],
      rows,
    ),
  );
  printSection(
    'summary',
    table(
      ['rounds', 'kills', 'creates in flight at a kill', 'duplicates', 'rounds violating an invariant', 'time'],
      [[totals.rounds, totals.kills, totals.abandoned, totals.duplicates, totals.failed, secs(clock.elapsedMs())]],
    ),
    [
      loadLine('at end'),
      `kill delays: uniform in [0, ${fmt(o.maxDelay)} ms] after the run's first create reached the emulator`,
    ],
  );
  return totals.failed === 0;
}

export const CRASH_SOAK_ARGS = {
  n: { full: 5000, quick: 500, help: 'tasks in the manifest (spread over instances of 900)' },
  kills: { full: 25, quick: 5, help: 'SIGKILLs per round before the run to completion' },
  maxDelay: { full: 700, quick: 600, help: 'a kill comes uniformly within this many ms after the first create' },
  faults: {
    full: 0.1,
    help: 'total probability of ambiguous faults (500 after commit, 500, reset, 503, hang); 0 for none',
  },
  rounds: { full: 1, help: 'rounds (new seed each)' },
  hours: { full: 0, help: 'keep starting rounds until this many hours have passed' },
  seed: { full: 1, help: 'first seed' },
} as const;

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = benchArgs(
    'npx tsx bench/soak-crash.ts [--quick] [--n 5000 --kills 25 --rounds 3 --hours 2 …]',
    CRASH_SOAK_ARGS,
  );
  process.exitCode = (await soakCrash(args)) ? 0 : 1;
}
