/**
 * What the soak scripts share: the invariants of docs/RELIABILITY.md checked against the emulator's own
 * counters and a run's report, returned as data (a soak reports every violation, it does not stop at the
 * first), and a clock for "run for H hours".
 */
import type { Emulator } from '../emulator/index.js';
import type { Report } from '../lib/report/types.js';

/** The exactly-once and accounting invariants of one run against one emulator. */
export interface Verdict {
  /** Names committed more than once (must be 0). */
  duplicates: number;
  /** Manifest names not stored (must be 0 after a successful run). */
  missing: number;
  /** Stored names not in the manifest (must be 0). */
  strangers: number;
  /** Report rows that are not exactly the manifest's tasks, once each (must be 0). */
  reportMismatches: number;
  /** Report task IDs that differ from the stored ones. */
  idMismatches: number;
  ok: boolean;
}

export function verdict(emu: Emulator, names: readonly string[], report: Report | undefined): Verdict {
  const stats = emu.stats();
  const expected = new Set(names);
  const committed = Object.entries(stats.createsCommitted);
  const stored = new Map(emu.tasks().map((t) => [t.task_name, t.task_id]));
  const duplicates = committed.filter(([, n]) => n > 1).length;
  const missing = names.filter((n) => !stored.has(n)).length;
  const strangers = [...stored.keys()].filter((n) => !expected.has(n)).length;
  let reportMismatches = names.length;
  let idMismatches = 0;
  if (report) {
    const seen = new Map<string, number>();
    for (const t of report.tasks) seen.set(t.name, (seen.get(t.name) ?? 0) + 1);
    reportMismatches =
      names.filter((n) => seen.get(n) !== 1).length + [...seen.keys()].filter((n) => !expected.has(n)).length;
    idMismatches = report.tasks.filter((t) => t.task_id !== undefined && stored.get(t.name) !== t.task_id).length;
  }
  return {
    duplicates,
    missing,
    strangers,
    reportMismatches,
    idMismatches,
    ok: duplicates + missing + strangers + reportMismatches + idMismatches === 0,
  };
}

/** Instances needed for `n` tasks at most `perInstance` per instance (the quota is 1,000). */
export function instancesFor(n: number, perInstance = 900): string[] {
  return Array.from({ length: Math.max(1, Math.ceil(n / perInstance)) }, (_, i) =>
    i === 0 ? 'local-instance' : `local-instance-${i + 1}`,
  );
}

/** A deadline for "--hours H": rounds continue while it has not passed; always at least one round. */
export function soakClock(hours: number): { more: (round: number) => boolean; elapsedMs: () => number } {
  const started = performance.now();
  const until = started + hours * 3_600_000;
  return { more: (round) => round === 0 || performance.now() < until, elapsedMs: () => performance.now() - started };
}

/** "ok" or the list of violated invariants. */
export function describeVerdict(v: Verdict): string {
  if (v.ok) return 'ok';
  return Object.entries(v)
    .filter(([k, n]) => k !== 'ok' && n !== 0)
    .map(([k, n]) => `${k}=${n}`)
    .join(' ');
}
