/** `fdi-provision apply <manifest>`: provision, show progress on stderr, write the report. */
import { exitCodeOf } from '../../lib/report/build-report.js';
import type { Report } from '../../lib/report/types.js';
import { runManifest } from '../../lib/run-manifest.js';
import { reportSinkFor } from '../../lib/storage/report-sink.js';
import type { CommandAction } from '../context.js';
import { errorLines, setUpEngine } from '../engine-run.js';
import { createProgress } from '../progress.js';

const apply: CommandAction = async ([manifestUri], flags, ctx) => {
  const { config, deps, clean } = setUpEngine(manifestUri, flags, ctx);
  const progress = createProgress(ctx.stderr, { quiet: flags.quiet || flags.json });
  const sink = await reportSinkFor(flags.report, manifestUri, config);
  const outcome = await runManifest(
    {
      mode: 'apply',
      config,
      signal: ctx.signal,
      observer: {
        planned: (plan) => progress.start(plan.entries.filter((e) => e.action !== 'invalid').length),
        result: (r) => progress.update(r),
      },
    },
    { ...deps, sink },
  );
  progress.stop();
  // Only a run given a deadline suspends; the command line gives none.
  if (outcome.kind !== 'finished') throw new Error('the run suspended without a deadline');
  const { report } = outcome;
  if (flags.json) ctx.stdout.write(`${JSON.stringify(report)}\n`);
  if (!flags.quiet) ctx.stderr.write(clean(`${summaryLine(report)}report: ${outcome.written?.location}\n`));
  return exitCodeOf(report.status);
};

function summaryLine(report: Report): string {
  const c = report.counts;
  const s = report.stats;
  return (
    `${report.status}: ${c.total} tasks: ${c.created} created, ${c.updated} updated, ${c.existing} existing, ` +
    `${c.failed} failed, ${c.invalid} invalid, ${c.not_attempted} not attempted ` +
    `(${(report.duration_ms / 1000).toFixed(1)} s, ${s.requests} requests, ${s.retries} retries, ${s.throttled} throttled)\n` +
    (report.reason ? `${report.reason}\n` : '') +
    errorLines(report.errors.slice(0, 50), report.manifest.uri)
  );
}

export default apply;
