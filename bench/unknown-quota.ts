/**
 * bench:unknown-quota — the user does not know the server's quota and sets the client rate to twice
 * it: the rate adaptation (README, "What the engine guarantees": on 429 the rate adapts down, then probes back up) must find it.
 * Targets (issue 6): throughput ≥ 0.85 × quota and ≤ 5% of the requests throttled.
 */
import { applyManifest, describeClient } from './common/apply.js';
import { benchArgs } from './common/args.js';
import { startBenchEmulator, summarize, type ServerSettings } from './common/emulator.js';
import { fmt, log, median, pct, printSection, ratio, table, type Cell } from './common/format.js';
import { endLines, printHeader } from './common/machine.js';
import { bulkManifest, bulkNames, instanceIds } from './common/manifests.js';
import { requireBuild } from './common/proc.js';
import { runQuotaCases, type QuotaCase } from './common/quota-cases.js';

const args = benchArgs('npm run bench:unknown-quota [-- --quick] [-- --n 3000 --quota 100 --factor 2]', {
  n: { full: 3000, quick: 300, help: 'tasks to create' },
  quota: { full: 100, help: 'server request quota, requests/s' },
  factor: { full: 2, help: 'client --rate as a multiple of the quota' },
  latency: { full: 15, help: 'server latency, ms' },
  jitter: { full: 10, help: 'extra server latency, uniform 0..J ms' },
  seed: { full: 42, help: 'seed of the emulator faults and jitter' },
  only: {
    full: 'adapt,learned',
    help: 'which parts: adapt (the scenarios of issue 6), learned (issue 16), per-minute',
  },
  'learned-n': { full: 500, quick: 150, help: 'learned-quota cases: tasks' },
  'learned-q': { full: 50, help: 'learned-quota cases: server quota, requests/s (client --rate 2 × it)' },
  'minute-n': { full: 300, quick: 60, help: 'per-minute case (--only …,per-minute; ~2.5 min): tasks' },
  'minute-q': { full: 120, help: 'per-minute case: server quota, requests per minute' },
});

const TARGET_THROUGHPUT = 0.85;
const TARGET_THROTTLED = 0.05;
const FAULT_MIX = { '500': 0.03, '500-after-commit': 0.01, '429': 0.02 } as const;

interface Scenario {
  label: string;
  retryAfterSeconds?: number;
  faults: ServerSettings['faults'];
  /** Client rate as a multiple of the quota. */
  factor: number;
}

async function main(): Promise<void> {
  requireBuild();
  const parts = new Set(
    String(args.only)
      .split(',')
      .map((p) => p.trim()),
  );
  if (parts.has('adapt')) await adapt();
  const learned: QuotaCase[] = [];
  const ln = Number(args['learned-n']);
  const lq = Number(args['learned-q']);
  const lat = { latencyMs: args.latency, jitterMs: args.jitter };
  if (parts.has('learned')) {
    learned.push(
      {
        label: 'limit in the 429',
        n: ln,
        quota: lq,
        client: { rate: 2 * lq },
        ...lat,
        target: {
          text: '≤ 1 % throttled, ≥ 0.95 × quota',
          met: (r) => r.throttledShare <= 0.01 && r.wallRatio >= 0.95 && r.clean,
        },
      },
      {
        label: 'no limit in the 429 (adaptation only)',
        n: ln,
        quota: lq,
        message: 'plain',
        client: { rate: 2 * lq },
        ...lat,
      },
    );
  }
  if (parts.has('per-minute')) {
    const mq = Number(args['minute-q']);
    const mn = Number(args['minute-n']);
    const paced = mn / (mq / 60);
    learned.push({
      label: 'per-minute quota, limit in the 429',
      n: mn,
      quota: mq,
      period: 'minute',
      client: { rate: 20 },
      ...lat,
      target: {
        text: `done by ${(paced * 1.05).toFixed(1)} s (paced + 5 %), ≤ 2 % throttled`,
        met: (r) => r.wallS <= paced * 1.05 && r.throttledShare <= 0.02 && r.clean,
      },
    });
  }
  if (learned.length) {
    await runQuotaCases('Quota unknown to the client, stated by the gateway', learned, args.seed);
  }
}

/** Issue 6's scenarios: the client at `factor` × an unknown quota must find it by adaptation. */
async function adapt(): Promise<void> {
  const { n, quota, seed } = args;
  const instances = instanceIds(Math.max(1, Math.ceil(n / 1000)));
  printHeader('bench:unknown-quota', {
    n,
    quota,
    clientRate: quota * args.factor,
    instances: instances.length,
    latency: `${args.latency}+U[0,${args.jitter}] ms`,
    seed,
    quick: args.quick,
  });
  const scenarios: Scenario[] = [
    { label: 'quota known (reference)', faults: {}, factor: 1 },
    { label: 'quota unknown', faults: {}, factor: args.factor },
    { label: 'quota unknown, Retry-After: 1', faults: {}, factor: args.factor, retryAfterSeconds: 1 },
    { label: 'quota unknown + bench:throughput faults', faults: { ...FAULT_MIX }, factor: args.factor },
  ];
  const manifest = bulkManifest(n, instances);
  const names = bulkNames(n);
  const rows: Cell[][] = [];
  const traces: string[] = [];
  const verdicts: { label: string; throughput: number; throttled: number; clean: boolean }[] = [];
  for (const sc of scenarios) {
    const emu = await startBenchEmulator({
      instances,
      quota,
      latencyMs: args.latency,
      jitterMs: args.jitter,
      faults: sc.faults,
      seed,
      retryAfterSeconds: sc.retryAfterSeconds,
    });
    try {
      const client = { rate: Math.round(quota * sc.factor) };
      log(`${sc.label}: apply ${describeClient(client)} …`);
      const { proc, report } = await applyManifest(manifest, emu.url, client);
      const s = summarize(emu, names);
      const created = n - s.missing;
      const wallRate = created / (proc.wallMs / 1000);
      const runRate = created / (report.duration_ms / 1000);
      const clean = s.missing === 0 && s.duplicateNames === 0 && s.nameExistsRejections === 0 && s.stored === n;
      rows.push([
        sc.label,
        describeClient(client),
        fmt(proc.wallMs / 1000, 1),
        fmt(wallRate, 1),
        ratio(wallRate / quota),
        ratio(runRate / quota),
        s.requests,
        `${s.throttled} (${s.quotaThrottled}+${s.throttled - s.quotaThrottled})`,
        pct(s.throttled, s.requests),
        pct(s.quotaThrottled, s.requests),
        median(s.perSecond.slice(0, -1)),
        clean ? 'yes' : 'NO',
      ]);
      traces.push(`${sc.label}:\n  ${s.perSecond.join(' ')}`);
      if (sc.factor !== 1)
        verdicts.push({ label: sc.label, throughput: wallRate / quota, throttled: s.throttled / s.requests, clean });
    } finally {
      await emu.close();
    }
  }
  printSection(
    `Unknown quota: ${n.toLocaleString('en-US')} tasks, server quota ${quota}/s, client --rate ${quota * args.factor}`,
    table(
      [
        'scenario',
        'client',
        'wall s',
        'creates/s',
        '× quota (wall)',
        '× quota (run)',
        'requests',
        'throttled (quota+fault)',
        'throttled %',
        'quota 429 %',
        'median arrivals/s',
        'exactly once',
      ],
      rows,
    ),
    [
      "creates/s = tasks stored ÷ wall (process start to exit); × quota (run) uses the report's duration_ms instead (without node start-up).",
      "throttled % = 429 answers ÷ all requests the server saw; quota 429 % counts only the quota's own 429s (the rest are the injected 429 fault of the last scenario).",
      `the faults of the last scenario: ${JSON.stringify(FAULT_MIX)} — every fault and lookup also takes a token, so its best possible is below 1.0 × quota.`,
    ],
  );
  printSection('Request arrivals per second at the emulator', traces.join('\n'));
  printSection(
    'Verdict',
    verdicts
      .map(
        (v) =>
          `- ${v.label}: throughput ${v.throughput.toFixed(3)} × quota (target ≥ ${TARGET_THROUGHPUT}: ${v.throughput >= TARGET_THROUGHPUT ? 'met' : 'not met'}), ` +
          `${(v.throttled * 100).toFixed(1)}% throttled (target ≤ ${TARGET_THROTTLED * 100}%: ${v.throttled <= TARGET_THROTTLED ? 'met' : 'not met'}), exactly once: ${v.clean ? 'yes' : 'NO'}.`,
      )
      .join('\n'),
  );
  if (verdicts.some((v) => !v.clean)) process.exitCode = 1;
}

await main();
process.stdout.write(`\n${endLines()}\n`);
