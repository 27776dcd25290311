/**
 * `npx tsx bench/soak-storage.ts [--quick]` — the store fails too (docs/RELIABILITY.md): batches of
 * runs through the upload handler with its S3 client behind the fault proxy
 * (test/helpers/s3-fault-proxy.ts), one row per fault mix, printed as the document's table. Every
 * row checks the invariants: no name created twice, no task missing, every finished run with one
 * complete report, no success stored without its report. Exits 1 when one is violated.
 */
import { S3_OPERATIONS, type S3FaultKind, type S3FaultRates } from '../test/helpers/s3-fault-proxy.js';
import { soakStore, startFaultyStoreStack, type StoreSoakResult } from '../test/reliability/store-stack.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const quick = process.argv.includes('--quick');
const RUNS = quick ? 4 : 12;
/** 12 × 80 = 960 tasks: under the emulator's quota of 1,000 tasks per instance. */
const TASKS = quick ? 20 : 80;

interface Row {
  label: string;
  rates: S3FaultRates;
  keys?: (key: string) => boolean;
  /** The client as it was before (the SDK's defaults: 3 attempts, no timeout, no further tries). */
  before?: boolean;
  /** The product's client with 3 attempts and no further tries of a report write: more runs fail, and are redelivered. */
  short?: boolean;
  /** Faults for the first delivery of every run only; later deliveries find the store back. */
  outage?: boolean;
}

const everyOp = (rates: Partial<Record<S3FaultKind, number>>): S3FaultRates =>
  Object.fromEntries(S3_OPERATIONS.map((op) => [op, rates]));
const MIXED = { '503': 0.1, '500': 0.08, reset: 0.06, 'reset-after': 0.06, timeout: 0.04, '500-after': 0.06 };
const MIXED_NO_TIMEOUT = { '503': 0.1, '500': 0.1, reset: 0.08, 'reset-after': 0.06, '500-after': 0.06 };

const ROWS: Row[] = [
  { label: '503 SlowDown 30%', rates: everyOp({ '503': 0.3 }) },
  { label: '500 InternalError 30%', rates: everyOp({ '500': 0.3 }) },
  { label: 'reset before forwarding 30%', rates: everyOp({ reset: 0.3 }) },
  { label: 'reset after the store answered 30%', rates: everyOp({ 'reset-after': 0.3 }) },
  { label: 'timeout (no answer) 15%', rates: everyOp({ timeout: 0.15 }) },
  { label: '500 after the commit 30%', rates: everyOp({ '500-after': 0.3 }) },
  { label: 'all kinds 40% (503 10, 500 8, reset 6, reset-after 6, timeout 4, 500-after 6)', rates: everyOp(MIXED) },
  {
    label: 'report outage: put 503 100% on reports/ for the first delivery',
    rates: { put: { '503': 1 } },
    keys: (k) => k.startsWith('reports/'),
    outage: true,
  },
  {
    label: 'short retries (3 attempts, no further tries of a report write): all kinds but timeout 40%',
    rates: everyOp(MIXED_NO_TIMEOUT),
    short: true,
  },
  { label: 'before the fixes: 503 SlowDown 30%', rates: everyOp({ '503': 0.3 }), before: true },
  { label: 'before the fixes: all kinds but timeout 40%', rates: everyOp(MIXED_NO_TIMEOUT), before: true },
];

/**
 * The client before the fixes: the SDK's defaults (3 attempts, standard mode with its retry quota, no
 * request timeout) and no further tries of a report write. (The other fixes, in lib/trigger and the
 * report layout, are in place.)
 */
const BEFORE = { sdkDefaults: true, persistDelaysMs: [] };
const SHORT = { resilience: { maxAttempts: 3, requestTimeoutMs: 1_000 }, persistDelaysMs: [] };
/** A shorter silence before a hung request is given up than the product's 15 s, so the bench is quick. */
const AFTER = { resilience: { requestTimeoutMs: 1_000 } };

async function measure(row: Row, seed: number): Promise<StoreSoakResult & { faultsByKind: string }> {
  const stack = await startFaultyStoreStack({
    ...(row.before ? BEFORE : row.short ? SHORT : AFTER),
    faults: { seed, rates: row.rates, ...(row.keys && { keys: row.keys }) },
  });
  try {
    const tag = `b${seed}`;
    let result: StoreSoakResult;
    if (row.outage) {
      const first = await soakStore(stack, { runs: RUNS, tasks: TASKS, tag, maxDeliveries: 1 });
      const faults = stack.proxy.totalFaults();
      stack.proxy.configure({ rates: {} });
      const again = await soakStore(stack, { runs: RUNS, tasks: TASKS, tag, upload: false, maxDeliveries: 2 });
      result = {
        ...again,
        firstTime: first.firstTime,
        afterRedelivery: first.unfinished - again.unfinished,
        requests: first.requests + again.requests,
        faults,
        successWithoutReport: first.successWithoutReport + again.successWithoutReport,
        ms: first.ms + again.ms,
      };
    } else {
      result = await soakStore(stack, { runs: RUNS, tasks: TASKS, tag });
    }
    const byKind: Record<string, number> = {};
    for (const kinds of Object.values(stack.proxy.faults))
      for (const [k, n] of Object.entries(kinds)) byKind[k] = (byKind[k] ?? 0) + n;
    const faultsByKind = Object.entries(byKind)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
    return { ...result, faultsByKind };
  } finally {
    await stack.close();
  }
}

console.log(
  `| fault kind and rate (per operation: get, put, head, list, delete) | runs | tasks | requests to the store | faults injected | succeeded first time / after a redelivery / not finished | duplicates | missing reports | time |`,
);
console.log('|---|---:|---:|---:|---:|---|---:|---:|---:|');
let ok = true;
const onlyArg = process.argv.indexOf('--row');
for (const [i, row] of ROWS.entries()) {
  if (onlyArg > 0 && Number(process.argv[onlyArg + 1]) !== i) continue;
  const r = await measure(row, 900 + i);
  const fine = r.duplicates === 0 && r.missingTasks === 0 && r.missingReports === 0 && r.successWithoutReport === 0;
  // Before the fixes, runs left unfinished are the finding, not a violation; after them, none may be.
  if (!fine || (!row.before && !row.short && r.unfinished > 0)) ok = false;
  console.log(
    `| ${row.label} | ${r.runs} | ${r.tasks} | ${r.requests} | ${r.faults} (${r.faultsByKind}) | ${r.firstTime} / ${r.afterRedelivery} / ${r.unfinished} | ${r.duplicates} | ${r.missingReports} | ${(r.ms / 1000).toFixed(1)} s |`,
  );
  if (r.missingTasks || r.successWithoutReport)
    console.log(`  ! missing tasks ${r.missingTasks}, success without report ${r.successWithoutReport}`);
  for (const why of r.unfinishedWhy) console.log(`  ! not finished: ${why}`);
}
process.exit(ok ? 0 : 1);
