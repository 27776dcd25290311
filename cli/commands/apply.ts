/** `fdi-provision apply <manifest>`: provision, show progress on stderr, write the report. */
import { exitCodeOf } from '../../lib/report/build-report.js';
import { describeSteps } from '../../lib/report/summary-md.js';
import type { Plan } from '../../lib/plan/types.js';
import type { Report, TaskResult } from '../../lib/report/types.js';
import { runManifest } from '../../lib/run-manifest.js';
import { reportSinkFor } from '../../lib/storage/report-sink.js';
import type { CommandAction } from '../context.js';
import { errorLines, setUpEngine } from '../engine-run.js';
import { createProgress } from '../progress.js';

const apply: CommandAction = async ([manifestUri], flags, ctx) => {
  const { config, deps, provenance, clean } = setUpEngine(manifestUri, flags, ctx);
  const sink = await reportSinkFor(flags.report, manifestUri, config);
  const progress = createProgress(ctx.stderr, { quiet: flags.quiet || flags.json });
  const observer = {
    planned: (plan: Plan) => progress.start(plan.entries.filter((e) => e.action !== 'invalid').length),
    result: (r: TaskResult) => progress.update(r),
  };
  let outcome;
  try {
    outcome = await runManifest({ mode: 'apply', config, sink, signal: ctx.signal, observer, provenance }, deps);
  } finally {
    progress.stop();
  }
  const { report } = outcome;
  if (flags.json) ctx.stdout.write(`${JSON.stringify(report)}\n`);
  if (!flags.quiet)
    ctx.stderr.write(clean(`${summaryLine(report)}report: ${outcome.written?.location ?? '(not written)'}\n`));
  return exitCodeOf(report.status);
};

/** The statuses the summary line counts, per operation. */
const COUNTED = {
  apply: ['created', 'updated', 'existing', 'failed', 'invalid', 'not_attempted'],
  destroy: ['deleted', 'absent', 'foreign', 'failed', 'invalid', 'not_attempted'],
} as const;

/** The run in a few lines: status, counts, timing, steps, reason and the manifest's problems. */
export function summaryLine(report: Report): string {
  const c = report.counts;
  const s = report.stats;
  const counted = COUNTED[report.operation ?? 'apply'].map((k) => `${c[k] ?? 0} ${k.replace('_', ' ')}`);
  return (
    `${report.status}: ${c.total} tasks: ${counted.join(', ')} ` +
    `(${(report.duration_ms / 1000).toFixed(1)} s, ${s.requests} requests, ${s.retries} retries, ${s.throttled} throttled)\n` +
    (describeSteps(report.steps) ? `${describeSteps(report.steps)}\n` : '') +
    (report.reason ? `${report.reason}\n` : '') +
    errorLines(report.errors.slice(0, 50), report.manifest.uri)
  );
}

export default apply;
