/**
 * `fdi-provision plan <manifest>`: what `apply` would do, per task, without writing anything.
 * Exit 0 when apply would proceed, 2 when it would be rejected (invalid manifest, invalid tasks,
 * conflicts, quota), 3 when FDI refused the credentials.
 */
import { EXIT } from '../../lib/errors.js';
import type { Plan, PlanEntry } from '../../lib/plan/types.js';
import { runManifest } from '../../lib/run-manifest.js';
import type { CommandAction, CommonFlags } from '../context.js';
import { errorLines, setUpEngine } from '../engine-run.js';

interface PlanFlags extends CommonFlags {
  /** What destroy would do (docs/DESTROY.md). */
  destroy?: boolean;
  force?: boolean;
}

const plan: CommandAction<PlanFlags> = async ([manifestUri], flags, ctx) => {
  const { config, deps, provenance, clean } = setUpEngine(manifestUri, flags, ctx);
  const operation = flags.destroy ? 'destroy' : 'apply';
  const outcome = await runManifest(
    { mode: 'plan', config, signal: ctx.signal, provenance, operation, force: flags.force },
    deps,
  );
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
      `${JSON.stringify({ entries: p.entries.map(({ bodyHash: _h, record: _r, applied: _a, ...e }) => e), quota: p.quota, blockers: p.blockers, problems: p.problems, requests: report.stats.requests })}\n`,
    );
  } else {
    ctx.stdout.write(clean(planTable(p)));
  }
  if (p.blockers.length) {
    const problems = p.problems.map(({ tasks: _tasks, ...problem }) => problem);
    ctx.stderr.write(clean(errorLines(problems, report.manifest.uri)));
    ctx.stderr.write(clean(`${operation} would be rejected:\n${p.blockers.map((b) => `  - ${b}\n`).join('')}`));
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
    shownAction(e),
    e.schedule ?? '',
    e.startAction ?? '',
    detail(e),
  ]);
  const head = ['#', 'task', 'instance', 'action', 'schedule', 'start', 'detail'];
  const widths = head.map((h, i) => Math.min(60, Math.max(h.length, ...rows.map((r) => r[i].length))));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const count = (pick: (e: PlanEntry) => string | undefined) => {
    const tally = new Map<string, number>();
    for (const e of p.entries) {
      const k = pick(e);
      if (k) tally.set(k, (tally.get(k) ?? 0) + 1);
    }
    return [...tally].map(([a, n]) => `${n} ${a}`).join(', ');
  };
  const quota = p.quota.map((q) => `${q.target.instance_id}: ${q.existing} existing + ${q.creates} new of ${q.limit}`);
  const schedules = count((e) => e.schedule);
  const starts = count((e) => e.startAction);
  return [
    fmt(head),
    ...rows.map(fmt),
    '',
    `plan: ${count(shownAction)}`,
    ...(schedules ? [`schedules: ${schedules}`] : []),
    ...(starts ? [`starts: ${starts}`] : []),
    ...(quota.length ? [`quota: ${quota.join('; ')}`] : []),
    '',
  ].join('\n');
}

/**
 * The action column: under `on_exists: update`, what comparing the existing task told (`unchanged`,
 * `update`, `drift unknown`), else the action.
 */
function shownAction(e: PlanEntry): string {
  return e.compared ?? e.action;
}

/** How many changed paths the table names before "+N more" (plan --json has them all, with values). */
const LISTED_CHANGES = 4;

/** The detail of a row: what an update changes, else why, else the existing task. */
function detail(e: PlanEntry): string {
  if (e.changes?.length) {
    const paths = e.changes.map((c) => c.path);
    const more = paths.length > LISTED_CHANGES ? ` (+${paths.length - LISTED_CHANGES} more)` : '';
    return `changes: ${paths.slice(0, LISTED_CHANGES).join(', ')}${more}`;
  }
  return e.reason ?? (e.existing ? `task ${e.existing.task_id}` : '');
}

export default plan;
