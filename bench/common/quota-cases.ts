/**
 * Quota cases of issue 16, shared by bench:throughput and bench:unknown-quota: one product run per
 * case against a fresh emulator whose quota has a given period, counting model and 429 message, and
 * the figures the targets are stated in — wall time against the quota-bound N/Q, the span of
 * the arrivals against (N − burst)/Q, the share of requests throttled.
 */
import { applyManifest, describeClient, type ClientSettings } from './apply.js';
import { startBenchEmulator, summarize, type ServerSettings } from './emulator.js';
import { fmt, log, pct, printSection, ratio, table, type Cell } from './format.js';
import { bulkManifest, bulkNames, instanceIds } from './manifests.js';

export interface QuotaCase {
  label: string;
  n: number;
  /** Requests per period. */
  quota: number;
  period?: 'second' | 'minute';
  model?: 'bucket' | 'window';
  message?: 'limit' | 'plain';
  client: ClientSettings;
  latencyMs: number;
  jitterMs: number;
  /** What the case's target is, in words, and its check. */
  target?: { text: string; met: (r: QuotaCaseResult) => boolean };
}

export interface QuotaCaseResult {
  wallS: number;
  runS: number;
  /** From the first request's arrival to the last's. */
  spanS: number;
  /** N ÷ (quota per second): the quota-bound time. */
  idealS: number;
  /** Ideal ÷ wall. */
  wallRatio: number;
  requests: number;
  throttled: number;
  throttledShare: number;
  clean: boolean;
}

function quotaLabel(c: QuotaCase): string {
  return `${c.quota}/${c.period ?? 'second'} ${c.model ?? 'bucket'}${c.message === 'plain' ? ', no limit in 429' : ''}`;
}

export async function runQuotaCase(
  c: QuotaCase,
  seed: number,
): Promise<{ row: Cell[]; trace: string; result: QuotaCaseResult }> {
  const instances = instanceIds(Math.max(1, Math.ceil(c.n / 1000)));
  const server: ServerSettings = {
    instances,
    quota: c.quota,
    quotaPeriod: c.period,
    quotaModel: c.model,
    quotaMessage: c.message,
    latencyMs: c.latencyMs,
    jitterMs: c.jitterMs,
    faults: {},
    seed,
  };
  const emu = await startBenchEmulator(server);
  try {
    log(`${c.label}: ${c.n} tasks, quota ${quotaLabel(c)}, apply ${describeClient(c.client)} …`);
    const manifest = bulkManifest(c.n, instances, 'quota');
    const names = bulkNames(c.n, 'quota');
    const { proc, report } = await applyManifest(manifest, emu.url, c.client);
    const s = summarize(emu, names);
    const arrivals = emu.arrivals();
    const perSecondQuota = c.quota / (c.period === 'minute' ? 60 : 1);
    const idealS = c.n / perSecondQuota;
    const result: QuotaCaseResult = {
      wallS: proc.wallMs / 1000,
      runS: report.duration_ms / 1000,
      spanS: arrivals.length ? (arrivals[arrivals.length - 1]! - arrivals[0]!) / 1000 : 0,
      idealS,
      wallRatio: idealS / (proc.wallMs / 1000),
      requests: s.requests,
      throttled: s.throttled,
      throttledShare: s.requests ? s.throttled / s.requests : 0,
      clean: s.missing === 0 && s.duplicateNames === 0 && s.nameExistsRejections === 0 && s.stored === c.n,
    };
    const row: Cell[] = [
      c.label,
      quotaLabel(c),
      describeClient(c.client),
      c.n,
      fmt(result.wallS, 1),
      fmt(result.runS, 1),
      fmt(result.spanS, 2),
      fmt(idealS, 1),
      ratio(result.wallRatio),
      ratio(idealS / result.runS),
      s.requests,
      `${s.throttled} (${pct(s.throttled, s.requests)})`,
      result.clean ? 'yes' : 'NO',
      c.target ? `${c.target.text}: ${c.target.met(result) ? 'met' : 'NOT met'}` : '–',
    ];
    const trace = `${c.label}:\n  ${s.perSecond.join(' ')}`;
    return { row, trace, result };
  } finally {
    await emu.close();
  }
}

/**
 * Runs the cases one after the other and prints their table and arrivals; a case that did not create
 * every task exactly once fails the bench (exit code 1).
 */
export async function runQuotaCases(title: string, cases: QuotaCase[], seed: number): Promise<QuotaCaseResult[]> {
  const rows: Cell[][] = [];
  const traces: string[] = [];
  const results: QuotaCaseResult[] = [];
  for (const c of cases) {
    const { row, trace, result } = await runQuotaCase(c, seed);
    rows.push(row);
    traces.push(trace);
    results.push(result);
  }
  printSection(
    title,
    table(
      [
        'case',
        'server quota',
        'client',
        'tasks',
        'wall s',
        'run s',
        'arrivals span s',
        'N/Q s',
        '× N/Q (wall)',
        '× N/Q (run)',
        'requests',
        'throttled',
        'exactly once',
        'target',
      ],
      rows,
    ),
    [
      '× N/Q (wall) = the quota-bound time N/Q ÷ the wall time from spawning the CLI to its exit (start-up, planning and the report included); (run) uses the report’s duration_ms.',
      'arrivals span = first to last request at the emulator; with a burst of B the bound is (N − B)/Q (plus the one-second windows’ guards).',
      'bucket: the emulator’s token bucket of capacity = quota (a second’s quota may arrive at once); window: at most the quota in any sliding period.',
    ],
  );
  printSection('Request arrivals per second at the emulator (quota cases)', traces.join('\n'));
  if (results.some((r) => !r.clean)) process.exitCode = 1;
  return results;
}
