/** `fdi-provision apply <manifest>`: provision, show progress on stderr, write the report. */
import { UserError } from '../../lib/errors.js';
import { exitCodeOfReport } from '../../lib/report/build-report.js';
import { describeSteps, describeVerify } from '../../lib/report/summary-md.js';
import { DESTROY_STATUSES, TASK_STATUSES, type Operation, type Report } from '../../lib/report/types.js';
import { runManifest } from '../../lib/run-manifest.js';
import type { Finished, RunDeps, RunObserver } from '../../lib/run-types.js';
import { reportSinkFor, type ReportSink } from '../../lib/storage/report-sink.js';
import type { CliContext, CommandAction, CommonFlags } from '../context.js';
import { errorLines, setUpEngine, withLiveRecord, type EngineSetup } from '../engine-run.js';
import { createProgress, progressObserver, type Progress } from '../progress.js';

/** apply's flags: the engine's, and `--verify [seconds]` (true without a value). */
export interface ApplyFlags extends CommonFlags {
  verify?: string | boolean;
}

/** `--verify` without a value waits this long (docs/VERIFY.md). */
export const DEFAULT_VERIFY_S = 300;
export const MAX_VERIFY_S = 3600;

/** `--verify [seconds]` → the request's verify; undefined without the flag. A bad value is the user's error (exit 2). */
export function verifyFlag(raw: string | boolean | undefined): { timeoutMs: number } | undefined {
  if (raw === undefined || raw === false) return undefined;
  if (raw === true) return { timeoutMs: DEFAULT_VERIFY_S * 1000 };
  const n = /^\s*\d+\s*$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_VERIFY_S) {
    throw new UserError(`--verify takes a whole number of seconds from 1 to ${MAX_VERIFY_S} (got "${raw}")`, {
      hint: 'write it after the manifest or as --verify=SECONDS: apply wave.yaml --verify 120',
    });
  }
  return { timeoutMs: n * 1000 };
}

const apply: CommandAction<ApplyFlags> = async ([manifestUri], flags, ctx) => {
  const verify = verifyFlag(flags.verify);
  const engine = setUpEngine(manifestUri, flags, ctx);
  const { config, provenance } = engine;
  return runToReport(
    engine,
    { manifestUri, operation: 'apply', flags, ctx },
    (progress) => ({
      ...progressObserver(progress),
      verifying: (tasks: number, until: Date) => {
        progress.stop();
        if (!flags.quiet && !flags.json)
          ctx.stderr.write(
            `verifying the executions of ${tasks} task(s), until ${until.toISOString()} at the latest\n`,
          );
      },
      verified: verifyProgress(ctx.stderr, Boolean(flags.quiet || flags.json)),
    }),
    (sink, observer, deps) =>
      runManifest({ mode: 'apply', config, sink, signal: ctx.signal, observer, provenance, verify }, deps),
  );
};

/**
 * An apply or a destroy run to its end for the command line: its progress on stderr, its live record
 * beside its report folder, the report written; then the outcome printed, and the exit code of it.
 */
export async function runToReport(
  engine: EngineSetup,
  run: { manifestUri: string; operation: Operation; flags: CommonFlags; ctx: CliContext },
  observerOf: (progress: Progress) => RunObserver,
  go: (sink: ReportSink, observer: RunObserver, deps: RunDeps) => Promise<Finished>,
): Promise<number> {
  const { manifestUri, operation, flags, ctx } = run;
  const sink = await reportSinkFor(flags.report, manifestUri, engine.config);
  const progress = createProgress(ctx.stderr, { quiet: flags.quiet || flags.json, operation });
  let outcome;
  try {
    outcome = await withLiveRecord(
      engine,
      { reportFlag: flags.report, manifestUri, operation },
      observerOf(progress),
      (observed, deps) => go(sink, observed, deps),
    );
  } finally {
    progress.stop();
  }
  printOutcome(outcome, flags, ctx, engine.clean);
  return exitCodeOfReport(outcome.report);
}

/** A finished run for its user: the report as JSON on stdout (--json), the summary on stderr. */
function printOutcome(outcome: Finished, flags: CommonFlags, ctx: CliContext, clean: (text: string) => string): void {
  const { report } = outcome;
  if (flags.json) ctx.stdout.write(`${JSON.stringify(report)}\n`);
  if (!flags.quiet)
    ctx.stderr.write(clean(`${summaryLine(report)}report: ${outcome.written?.location ?? '(not written)'}\n`));
}

/** How many verified tasks have settled, on stderr: when the count changes, at most every 5 s, and the last. */
function verifyProgress(stream: NodeJS.WritableStream, quiet: boolean): (settled: number, total: number) => void {
  let shown = -1;
  let at = Number.NEGATIVE_INFINITY;
  return (settled, total) => {
    const now = performance.now();
    if (quiet || settled === shown || (now - at < 5000 && settled < total)) return;
    shown = settled;
    at = now;
    stream.write(`verify: ${settled}/${total} settled\n`);
  };
}

/** The statuses the summary line counts, per operation: those its tasks can end in. */
const COUNTED = { apply: TASK_STATUSES, destroy: DESTROY_STATUSES } as const;

/** The run in a few lines: status, counts, timing, steps, reason and the manifest's problems. */
export function summaryLine(report: Report): string {
  const c = report.counts;
  const s = report.stats;
  const counted = COUNTED[report.operation ?? 'apply'].map((k) => `${c[k] ?? 0} ${k.replace('_', ' ')}`);
  return (
    `${report.status}: ${c.total} tasks: ${counted.join(', ')} ` +
    `(${(report.duration_ms / 1000).toFixed(1)} s, ${s.requests} requests, ${s.retries} retries, ${s.throttled} throttled)\n` +
    (describeSteps(report.steps) ? `${describeSteps(report.steps)}\n` : '') +
    (report.verify ? `verify: ${describeVerify(report.verify)}\n${failedExecutionLines(report)}` : '') +
    (report.reason ? `${report.reason}\n` : '') +
    errorLines(report.errors.slice(0, 50), report.manifest.uri)
  );
}

/** The failed executions, one line each with FDI's remark (the first 20). */
function failedExecutionLines(report: Report): string {
  const failed = report.tasks.filter((t) => t.execution?.state === 'failed');
  const lines = failed
    .slice(0, 20)
    .map((t) => `  failed execution: ${t.name}: ${t.execution?.remarks ?? t.execution?.execute_status ?? ''}\n`);
  if (failed.length > 20) lines.push(`  … and ${failed.length - 20} more (summary.md, tasks.csv)\n`);
  return lines.join('');
}

export default apply;
