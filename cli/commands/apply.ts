/** `fdi-provision apply <manifest>`: provision, show progress on stderr, write the report. */
import path from 'node:path';
import { exitCodeOf } from '../../lib/report/build-report.js';
import { runManifest } from '../../lib/run-manifest.js';
import { writeReport } from '../../lib/storage/report-layout.js';
import { reportStoreFor } from '../../lib/storage/report-target.js';
import type { CommandAction } from '../context.js';
import { setUpEngine } from '../engine-run.js';
import { createProgress } from '../progress.js';

const apply: CommandAction = async ([manifestUri], flags, ctx) => {
  const { config, logger, source, clean } = await setUpEngine(manifestUri, flags, ctx);
  const progress = createProgress(ctx.stderr, { quiet: flags.quiet || flags.json });
  const outcome = await runManifest(
    {
      source,
      config,
      mode: 'apply',
      signal: ctx.signal,
      onPlan: (plan) => progress.start(plan.entries.filter((e) => e.action !== 'invalid').length),
      onResult: (r) => progress.update(r),
    },
    { logger },
  );
  progress.stop();
  const { report } = outcome;
  const { store, prefix, path: manifestKeyPath } = await reportStoreFor(flags.report, manifestUri, config);
  const where = await writeReport(store, prefix, manifestKeyPath, report, outcome.failedYaml);
  if (flags.json) ctx.stdout.write(`${JSON.stringify(report)}\n`);
  if (!flags.quiet) {
    const c = report.counts;
    ctx.stderr.write(
      clean(
        `${report.status}: ${c.total} tasks: ${c.created} created, ${c.updated} updated, ${c.existing} existing, ${c.failed} failed, ${c.invalid} invalid, ${c.not_attempted} not attempted` +
          ` (${(report.duration_ms / 1000).toFixed(1)} s, ${report.stats.requests} requests, ${report.stats.retries} retries, ${report.stats.throttled} throttled)\n` +
          (report.reason ? `${report.reason}\n` : '') +
          report.errors
            .slice(0, 50)
            .map((e) => `  ${e.file ?? source.uri}:${e.line ?? '?'}:${e.column ?? '?'}: ${e.message}\n`)
            .join('') +
          `report: ${describeLocation(store.location, where)}\n`,
      ),
    );
  }
  return exitCodeOf(report.status);
};

function describeLocation(location: string, key: string): string {
  return location.startsWith('s3://') ? `${location}/${key}/` : `${path.join(location, key)}${path.sep}`;
}

export default apply;
