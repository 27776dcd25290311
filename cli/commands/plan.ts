/**
 * `fdi-provision plan <manifest>`: what `apply` would do, per task, without writing anything.
 * Exit 0 when apply would proceed, 2 when it would be rejected (invalid manifest, invalid tasks,
 * conflicts, quota), 3 when FDI refused the credentials.
 */
import { EXIT } from '../../lib/errors.js';
import type { Plan } from '../../lib/plan/types.js';
import { runManifest } from '../../lib/run-manifest.js';
import type { CommandAction } from '../context.js';
import { errorLines, setUpEngine } from '../engine-run.js';

const plan: CommandAction = async ([manifestUri], flags, ctx) => {
  const { config, deps, clean } = setUpEngine(manifestUri, flags, ctx);
  const outcome = await runManifest({ mode: 'plan', config, signal: ctx.signal }, deps);
  const { report } = outcome;
  if (!outcome.plan) {
    if (flags.json) {
      ctx.stdout.write(`${JSON.stringify({ status: report.status, reason: report.reason, errors: report.errors })}\n`);
    }
    ctx.stderr.write(clean(`${report.reason ?? report.status}\n${errorLines(report.errors, report.manifest.uri)}`));
    return report.status === 'aborted' ? EXIT.aborted : EXIT.rejected;
  }
  const p = outcome.plan;
  if (flags.json) {
    ctx.stdout.write(
      `${JSON.stringify({ entries: p.entries.map(({ bodyHash: _h, ...e }) => e), quota: p.quota, blockers: p.blockers, problems: p.problems, requests: report.stats.requests })}\n`,
    );
  } else {
    ctx.stdout.write(clean(planTable(p)));
  }
  if (p.blockers.length) {
    const problems = p.problems.map(({ tasks: _tasks, ...problem }) => problem);
    ctx.stderr.write(clean(errorLines(problems, report.manifest.uri)));
    ctx.stderr.write(clean(`apply would be rejected:\n${p.blockers.map((b) => `  - ${b}\n`).join('')}`));
    return EXIT.rejected;
  }
  return EXIT.ok;
};

/** The plan as an aligned text table plus a one-line tally. */
export function planTable(p: Plan): string {
  const rows = p.entries.map((e) => [
    String(e.index),
    e.name,
    e.target.instance_id,
    e.action,
    e.reason ?? (e.existing ? `task ${e.existing.task_id}` : ''),
  ]);
  const head = ['#', 'task', 'instance', 'action', 'detail'];
  const widths = head.map((h, i) => Math.min(60, Math.max(h.length, ...rows.map((r) => r[i].length))));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const tally = new Map<string, number>();
  for (const e of p.entries) tally.set(e.action, (tally.get(e.action) ?? 0) + 1);
  const quota = p.quota.map((q) => `${q.target.instance_id}: ${q.existing} existing + ${q.creates} new of ${q.limit}`);
  return [
    fmt(head),
    ...rows.map(fmt),
    '',
    `plan: ${[...tally].map(([a, n]) => `${n} ${a}`).join(', ')}`,
    ...(quota.length ? [`quota: ${quota.join('; ')}`] : []),
    '',
  ].join('\n');
}

export default plan;
