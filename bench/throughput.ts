/**
 * bench:throughput — creates per second against a rate-quota'd, faulty FDI emulator, side by side with
 * what a user would script instead. Every client runs as its own process against a fresh emulator with
 * the same settings and seed. See docs/PERFORMANCE.md.
 */
import { applyManifest, describeClient, type ClientSettings } from './common/apply.js';
import { benchArgs } from './common/args.js';
import { startBenchEmulator, summarize, type ServerSettings, type ServerSummary } from './common/emulator.js';
import { fmt, log, median, pct, printSection, ratio, table, type Cell } from './common/format.js';
import { endLines, printHeader } from './common/machine.js';
import { settledRate } from './common/rate-model.js';
import { bulkManifest, createCalls, instanceIds } from './common/manifests.js';
import { requireBuild } from './common/proc.js';
import { runQuotaCases, type QuotaCase } from './common/quota-cases.js';
import { CURL_RETRIES, XARGS_PARALLEL, haveCurl, runBaseline, type BaselineKind } from './baselines/run-baseline.js';

/** The fault mix of issue 6. */
const FAULTS = { '500': 0.03, '500-after-commit': 0.01, '429': 0.02 } as const;
const CLIENTS = ['product', 'sweep', 'sequential', 'promise-all', 'xargs-curl', 'quota'] as const;

const args = benchArgs('npm run bench:throughput [-- --quick] [-- --n 5000 --quota 200 …]', {
  n: { full: 5000, quick: 240, help: 'tasks to create' },
  quota: { full: 200, help: 'server request quota Q, requests/s' },
  instances: { full: 6, quick: 2, help: 'instances the tasks are spread over (an instance holds 1,000 tasks)' },
  latency: { full: 15, help: 'server latency, ms' },
  jitter: { full: 10, help: 'extra server latency, uniform 0..J ms' },
  seed: { full: 42, help: 'seed of the emulator faults and jitter' },
  concurrency: { full: 8, help: 'product --concurrency (8 is its default)' },
  sweep: {
    full: '2',
    quick: '',
    help: 'extra product runs: M (--rate M×Q) or M@C (and --concurrency C), comma-separated ("" for none)',
  },
  only: { full: CLIENTS.join(','), help: 'which clients to run ("quota": the fault-free quota cases of issue 16)' },
  'quota-n': { full: 1000, quick: 200, help: 'quota cases: tasks' },
  'quota-q': { full: 100, help: 'quota cases: the quota, requests/s' },
  'quota-latency': { full: 20, help: 'quota cases: server latency, ms (no jitter, no faults)' },
});

/**
 * Requests the product needs per task on average with this fault mix: a 500 costs a name lookup and
 * another create, a 500-after-commit a lookup and a read-back of the task it finds (to tell its own
 * create from someone else's), a 429 another create; lookups and read-backs are retried on 500/429.
 */
function productRequestsPerTask(f: { '500': number; '500-after-commit': number; '429': number }): number {
  const read = 1 / (1 - f['500'] - f['429']);
  return (1 + (f['500'] + 2 * f['500-after-commit']) * read) / (1 - f['500'] - f['429']);
}

interface Row {
  client: string;
  settings: string;
  wallMs: number;
  runMs: number;
  server: ServerSummary;
  reportedFailed: number;
  /** Failures that the client reported but whose task exists. */
  falseFailures: number;
  retries?: number;
}

async function main(): Promise<void> {
  requireBuild();
  const { n, quota, seed, concurrency } = args;
  const only = new Set(
    String(args.only)
      .split(',')
      .map((s) => s.trim()),
  );
  const instances = instanceIds(args.instances);
  const server: ServerSettings = {
    instances,
    quota,
    latencyMs: args.latency,
    jitterMs: args.jitter,
    faults: { ...FAULTS },
    seed,
  };
  printHeader('bench:throughput', {
    n,
    quota,
    instances: instances.length,
    latency: `${args.latency}+U[0,${args.jitter}] ms`,
    faults: FAULTS,
    seed,
    quick: args.quick,
  });
  const manifest = bulkManifest(n, instances);
  const calls = createCalls(manifest);
  const names = calls.map((c) => c.name);
  const rows: Row[] = [];
  const traces: { label: string; perSecond: number[] }[] = [];

  const product = async (client: ClientSettings, label: string) => {
    const emu = await startBenchEmulator(server);
    try {
      log(`${label}: apply ${describeClient(client)} …`);
      const { proc, report } = await applyManifest(manifest, emu.url, client);
      const s = summarize(emu, names);
      const failed = report.counts.failed + report.counts.not_attempted;
      rows.push({
        client: label,
        settings: describeClient(client),
        wallMs: proc.wallMs,
        runMs: report.duration_ms,
        server: s,
        reportedFailed: failed,
        falseFailures: Math.max(0, failed - s.missing),
        retries: report.stats.retries,
      });
      traces.push({ label: `${label} (${describeClient(client)})`, perSecond: s.perSecond });
    } finally {
      await emu.close();
    }
  };
  const baseline = async (kind: BaselineKind, settings: string) => {
    const emu = await startBenchEmulator(server);
    try {
      log(`${kind} …`);
      const out = await runBaseline(kind, calls, emu.url);
      const s = summarize(emu, names);
      rows.push({
        client: kind,
        settings,
        wallMs: out.wallMs,
        runMs: out.runMs,
        server: s,
        reportedFailed: out.reportedFailed,
        falseFailures: Math.max(0, out.reportedFailed - s.missing),
      });
    } finally {
      await emu.close();
    }
  };

  if (only.has('product')) await product({ rate: quota, concurrency }, 'fdi-provision');
  if (only.has('sweep')) {
    for (const item of String(args.sweep).split(',').filter(Boolean)) {
      const [m, c] = item.split('@').map(Number);
      await product({ rate: Math.round(quota * m), concurrency: c || concurrency }, 'fdi-provision');
    }
  }
  if (only.has('sequential')) await baseline('sequential', 'one POST at a time');
  if (only.has('promise-all')) await baseline('promise-all', `all ${n} POSTs at once`);
  const curl = haveCurl();
  if (only.has('xargs-curl') && curl)
    await baseline('xargs-curl', `xargs -P ${XARGS_PARALLEL} curl --retry ${CURL_RETRIES}`);

  if (rows.length === 0) {
    // Only the quota cases were asked for (--only quota).
    if (only.has('quota')) await quotaCases(seed);
    process.stdout.write(`\n${endLines()}\n`);
    return;
  }
  const perTask = productRequestsPerTask(FAULTS);
  const idealRate = quota;
  const bestRate = quota / perTask;
  printSection(
    `Throughput: ${n.toLocaleString('en-US')} tasks over ${instances.length} instances, quota ${quota}/s`,
    table(
      [
        'client',
        'settings',
        'wall s',
        'run s',
        'creates/s',
        '× ideal',
        '× best possible',
        'requests',
        'retries',
        'throttled (quota+fault)',
        'quota used',
        'median arrivals/s',
      ],
      rows.map((r): Cell[] => {
        const created = n - r.server.missing;
        const rate = created / (r.wallMs / 1000);
        return [
          r.client,
          r.settings,
          fmt(r.wallMs / 1000, 1),
          fmt(r.runMs / 1000, 1),
          fmt(rate, 1),
          ratio(rate / idealRate),
          ratio(rate / bestRate),
          r.server.requests,
          r.retries ?? r.server.requests - n,
          `${r.server.throttled} (${r.server.quotaThrottled}+${r.server.throttled - r.server.quotaThrottled})`,
          pct(r.server.tokenRequests / (r.wallMs / 1000), quota),
          median(r.server.perSecond.slice(0, -1)),
        ];
      }),
    ),
    [
      `ideal = N/Q = ${fmt(n / quota, 1)} s (${quota} creates/s). creates/s = tasks stored ÷ wall (process start to exit, start-up, validation, planning and report included); run s = the client's own timer (product: report duration_ms).`,
      `best possible with this fault mix: the product needs ${perTask.toFixed(3)} requests per task on average (a 500 costs a name lookup + a new create, a 500-after-commit a lookup + a read-back, a 429 a new create; README, "What the engine guarantees"), and every request, faults and lookups included, takes a token: ${fmt(bestRate, 1)} creates/s, ${ratio(1 / perTask)} of the ideal. (The bucket starts full, so the first second allows up to ${quota} extra requests.)`,
      'retries: the product counts its own; for the baselines it is requests − N. quota used = requests that took a token ÷ (Q × wall).',
      'baselines retry 429/5xx/network errors up to 5 attempts in all (100 ms · 2^k, no jitter, no name lookup); curl --retry uses its own backoff (1 s, doubling).',
      ...(only.has('xargs-curl') && !curl ? ['xargs-curl: not run, curl or xargs is not installed'] : []),
    ],
  );
  printSection(
    'Exactly once',
    table(
      [
        'client',
        'tasks stored',
        'missing',
        'names stored twice',
        'duplicate creates (name exists)',
        'reported failed',
        'reported failed but exist',
      ],
      rows.map((r) => [
        r.client + (r.client === 'fdi-provision' ? ` ${r.settings}` : ''),
        r.server.stored,
        r.server.missing,
        r.server.duplicateNames,
        r.server.nameExistsRejections,
        r.reportedFailed,
        r.falseFailures,
      ]),
    ),
    [
      `the emulator refuses a second task with the same name (as FDI does), so a blind retry after a 500-after-commit shows up as a "duplicate create": a 400 "already exists". A naive client reports that task failed although it exists; had names not been unique, it would be a duplicate task.`,
      `every fdi-provision run must end with exactly ${n} tasks stored, none missing, none twice, no duplicate create.`,
    ],
  );
  if (traces.length) {
    printSection(
      'Request arrivals per second at the emulator (fdi-provision runs)',
      traces.map((t) => `${t.label}:\n  ${t.perSecond.join(' ')}`).join('\n'),
    );
    const ceilings = [
      ...new Set(
        rows.filter((r) => r.client === 'fdi-provision').map((r) => Number(/--rate (\S+)/.exec(r.settings)?.[1])),
      ),
    ];
    const ps = [0, 0.005, 0.01, FAULTS['429'], 0.05];
    printSection(
      "Where the rate settles: the product's adaptRate under random 429s (model)",
      table(
        ['--rate (ceiling)', ...ps.map((p) => `p(429) = ${(p * 100).toFixed(1)}%`), 'measured median arrivals/s'],
        ceilings.map((c) => [
          c,
          ...ps.map((p) => Math.round(settledRate(c, p))),
          median(
            rows
              .find((r) => r.settings.startsWith(`--rate ${c} `) || r.settings === `--rate ${c}`)
              ?.server.perSecond.slice(0, -1) ?? [],
          ),
        ]),
      ),
      [
        'lib/traffic/rate-adapt.ts, fed one response per request at the current rate, each a 429 with probability p (seeded, no latency): the mean rate once settled. 429s that come at random, below the quota, should not slow a run down.',
        `with p = ${(FAULTS['429'] * 100).toFixed(0)}% (this bench's fault mix) at --rate ${quota} the model settles at ${Math.round(settledRate(quota, FAULTS['429']))} requests/s; the measured column also includes the quota's own 429s, so above the quota it shows the quota.`,
      ],
    );
  }
  const productRows = rows.filter((r) => r.client === 'fdi-provision');
  const clean = productRows.filter(
    (r) =>
      r.server.missing === 0 &&
      r.server.duplicateNames === 0 &&
      r.server.nameExistsRejections === 0 &&
      r.server.stored === n,
  );
  if (productRows.length) {
    const best = [...clean].sort((a, b) => a.wallMs - b.wallMs)[0];
    const first = productRows[0];
    const r0 = n / (first.wallMs / 1000) / quota;
    const lines = [
      `fdi-provision ${first.settings}: ${ratio(r0)} × ideal, ${ratio((r0 * quota) / bestRate)} × best possible; exactly once: ${clean.includes(first) ? 'yes' : 'NO'}.`,
      best
        ? `best setting tried: ${best.settings}: ${ratio(n / (best.wallMs / 1000) / quota)} × ideal, ${ratio(n / (best.wallMs / 1000) / bestRate)} × best possible.`
        : 'no fdi-provision run was exactly-once clean.',
      `target ≥ 0.95 × ideal with zero duplicates: ${best && n / (best.wallMs / 1000) / quota >= 0.95 ? 'met' : 'not met'}${1 / perTask < 0.95 ? ` (unreachable with this fault mix: at most ${ratio(1 / perTask)})` : ''}.`,
    ];
    printSection('Verdict', lines.map((l) => `- ${l}`).join('\n'));
    if (productRows.some((r) => !clean.includes(r))) process.exitCode = 1;
  }
  if (only.has('quota')) await quotaCases(seed);
  process.stdout.write(`\n${endLines()}\n`);
}

/**
 * Issue 16: N fault-free tasks at a known quota Q (--rate Q), end to end through the compiled CLI,
 * against a gateway that allows a burst of one second's quota (token bucket) and one that counts a
 * strict sliding second. Targets: ≥ 0.97 × N/Q, ≥ 1.0 × where the gateway allows a burst.
 */
async function quotaCases(seed: number): Promise<void> {
  const n = Number(args['quota-n']);
  const q = Number(args['quota-q']);
  const base = { n, quota: q, latencyMs: Number(args['quota-latency']), jitterMs: 0, client: { rate: q } };
  const cases: QuotaCase[] = [
    {
      ...base,
      label: 'quota known, burst allowed',
      model: 'bucket',
      client: { rate: q, burst: q },
      target: { text: '≥ 1.0 × N/Q', met: (r) => r.wallRatio >= 1 && r.clean },
    },
    {
      ...base,
      label: 'quota known, bucket, no --burst',
      model: 'bucket',
      target: { text: '≥ 0.97 × N/Q', met: (r) => r.wallRatio >= 0.97 && r.clean },
    },
    {
      ...base,
      label: 'quota known, strict window',
      model: 'window',
      target: { text: '≥ 0.97 × N/Q', met: (r) => r.wallRatio >= 0.97 && r.clean },
    },
  ];
  await runQuotaCases(`Known quota: ${n.toLocaleString('en-US')} fault-free tasks at ${q}/s`, cases, seed);
}

await main();
