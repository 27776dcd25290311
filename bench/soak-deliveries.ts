/**
 * bench:soak (deliveries) — test/reliability/deliveries.test.ts at soak scale, on the embedded local stack:
 * several manifests that share tasks, each upload delivered several times at once, all handled
 * concurrently by the upload handler while the emulator injects ambiguous faults. Every name must be
 * committed once, each upload must run once (the other deliveries are duplicates), and each run's report
 * must account for every task of its manifest. Prints a table per round and a summary; exits 1 on any
 * violation.
 */
import { pathToFileURL } from 'node:url';
import { createHandler } from '../handlers/manifest-uploaded.js';
import { startLocalStack } from '../local/stack.js';
import { silentLogger } from '../lib/logger.js';
import type { Report } from '../lib/report/types.js';
import { buildTriggerDeps } from '../lib/trigger/deps.js';
import type { UploadOutcome } from '../lib/trigger/run-upload.js';
import { overlappingManifest, tempDir } from '../test/helpers/cli.js';
import { benchArgs } from './common/args.js';
import { printSection, secs, table, type Cell } from './common/format.js';
import { loadLine, printHeader } from './common/machine.js';
import { soakClock } from './soak-common.js';
import { s3Event, upload } from '../test/helpers/stack.js';

export interface DeliverySoakOptions {
  manifests: number;
  tasks: number;
  shared: number;
  copies: number;
  faults: number;
  rounds: number;
  hours: number;
  seed: number;
}

export async function soakDeliveries(o: DeliverySoakOptions): Promise<boolean> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  printHeader('soak: duplicate deliveries and overlapping manifests (local stack)', { ...o });
  // A 4-instance-quota margin: an instance holds 1,000 tasks.
  const perRound = o.shared + o.manifests * (o.tasks - o.shared);
  if (perRound > 1000)
    throw new Error(
      `a round makes ${perRound} tasks; one instance holds 1,000: lower --manifests, --tasks or raise --shared`,
    );
  const f = o.faults;
  const stack = await startLocalStack({
    dataDir: await tempDir('fdi-soak-deliveries-'),
    logger: silentLogger(),
    emulator: {
      seed: o.seed,
      latencyMs: 5,
      jitterMs: 20,
      hangMs: 1500,
      faults: f > 0 ? { '500-after-commit': f * 0.4, '500': f * 0.2, reset: f * 0.2, '503': f * 0.2 } : {},
    },
  });
  const env = {
    ...stack.env,
    MANIFEST_PREFIX: 'soak/',
    REPORT_PREFIX: 'soak-reports/',
    STATE_PREFIX: 'soak-state/',
    FDI_RATE: '300',
    FDI_CONCURRENCY: '8',
    FDI_TIMEOUT_MS: '1000',
    FDI_MAX_ATTEMPTS: '12',
  };
  const handler = createHandler(() => buildTriggerDeps(env, { logger: silentLogger(), s3: stack.s3 }));
  const ctx = { getRemainingTimeInMillis: () => 3_600_000 };
  const clock = soakClock(o.hours);
  const rows: Cell[][] = [];
  let failedRounds = 0;
  try {
    const more = (r: number) => r < o.rounds || (o.hours > 0 && clock.more(r));
    for (let r = 0; more(r); r++) {
      stack.emulator.reset();
      const started = performance.now();
      const owners = Array.from({ length: o.manifests }, (_, i) => `m${i}`);
      for (const owner of owners)
        await upload(
          stack,
          `soak/${owner}.yaml`,
          overlappingManifest(owner, o.shared, o.tasks - o.shared, { prefix: `r${r}-` }),
        );
      const deliveries = owners.flatMap((owner) =>
        Array.from({ length: o.copies }, () =>
          handler(s3Event(stack.bucket, `soak/${owner}.yaml`, `R${r}-${owner}`), ctx),
        ),
      );
      const outcomes = (await Promise.all(deliveries)).map((x) => x[0] as UploadOutcome);
      const finished = outcomes.filter((x): x is Extract<UploadOutcome, { kind: 'finished' }> => x.kind === 'finished');
      const duplicates = outcomes.filter((x) => x.kind === 'duplicate').length;
      const stats = stack.emulator.stats();
      const twice = Object.values(stats.createsCommitted).filter((n) => n > 1).length;
      const expectedNames = o.shared + o.manifests * (o.tasks - o.shared);
      // Each upload ran once, and its report holds each of its tasks once.
      const runsPerUpload = owners.map(
        (owner) => finished.filter((x) => x.report.manifest.uri.endsWith(`/${owner}.yaml`)).length,
      );
      const badReports = finished.filter((x) => !accountsForAll(x.report, o.tasks)).length;
      const failedTasks = finished.reduce((a, x) => a + x.report.counts.failed, 0);
      // Shared names reported "created" by more than one run (a run reads the task back after an
      // ambiguous failure to tell whose create it was; RELIABILITY.md, finding 7). Not a duplicate in FDI.
      const claims = new Map<string, number>();
      for (const x of finished)
        for (const t of x.report.tasks)
          if (t.status === 'created' && t.name.includes('-shared-')) claims.set(t.name, (claims.get(t.name) ?? 0) + 1);
      const doubleClaims = [...claims.values()].filter((n) => n > 1).length;
      const ok =
        twice === 0 &&
        stats.tasksStored === expectedNames &&
        runsPerUpload.every((n) => n === 1) &&
        badReports === 0 &&
        failedTasks === 0;
      if (!ok) failedRounds += 1;
      rows.push([
        r + 1,
        o.manifests,
        o.copies,
        expectedNames,
        finished.length,
        duplicates,
        stats.duplicateNameRejections,
        Object.values(stats.faultsInjected).reduce((a, b) => a + b, 0),
        twice,
        stats.tasksStored,
        doubleClaims,
        failedTasks,
        secs(performance.now() - started),
        ok ? 'ok' : 'FAIL',
      ]);
      process.stdout.write(`round ${r + 1}: ${ok ? 'ok' : 'FAIL'}\n`);
    }
  } finally {
    await stack.close();
  }
  printSection(
    'rounds',
    table(
      [
        'round',
        'manifests',
        'deliveries each',
        'distinct names',
        'runs',
        'duplicate deliveries',
        'creates refused as duplicate names',
        'faults injected',
        'names committed twice',
        'tasks stored',
        'shared names claimed "created" twice',
        'failed tasks',
        'time',
        'invariants',
      ],
      rows,
    ),
  );
  printSection(
    'summary',
    table(['rounds', 'rounds violating an invariant', 'time'], [[rows.length, failedRounds, secs(clock.elapsedMs())]]),
    [loadLine('at end')],
  );
  return failedRounds === 0;
}

function accountsForAll(report: Report, n: number): boolean {
  const names = new Set(report.tasks.map((t) => t.name));
  const c = report.counts;
  return (
    report.tasks.length === n &&
    names.size === n &&
    c.total === n &&
    c.created + c.updated + c.existing + c.failed + c.invalid + c.not_attempted === n
  );
}

export const DELIVERY_SOAK_ARGS = {
  manifests: { full: 4, quick: 3, help: 'manifests per round, uploaded together' },
  tasks: { full: 250, quick: 40, help: 'tasks per manifest' },
  shared: { full: 100, quick: 15, help: 'of which shared by every manifest' },
  copies: { full: 3, help: 'deliveries of each upload, all at once' },
  faults: { full: 0.1, help: 'total probability of ambiguous faults; 0 for none' },
  rounds: { full: 3, quick: 1, help: 'rounds' },
  hours: { full: 0, help: 'keep starting rounds until this many hours have passed' },
  seed: { full: 1, help: 'seed of the emulator' },
} as const;

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = benchArgs(
    'npx tsx bench/soak-deliveries.ts [--quick] [--manifests 4 --tasks 250 --rounds 3 --hours 1 …]',
    DELIVERY_SOAK_ARGS,
  );
  process.exitCode = (await soakDeliveries(args)) ? 0 : 1;
}
