/** `summary.md`: the human summary (counts, top errors, timing, effective rate). Pure. */
import { EXECUTION_STATES, type Report, type TaskResult } from './types.js';

const MAX_LISTED = 20;

/** The steps after the tasks' own writes in words, e.g. "3 schedules created, 3 started"; "" when none. */
export function describeSteps(steps: Report['steps']): string {
  const parts: Array<[number, string, string]> = [
    [steps.schedules_created, 'schedule created', 'schedules created'],
    [steps.schedules_updated, 'schedule updated', 'schedules updated'],
    [steps.schedules_unchanged, 'schedule unchanged', 'schedules unchanged'],
    [steps.started, 'started', 'started'],
    [steps.runs_triggered ?? 0, 'run triggered', 'runs triggered'],
  ];
  return parts
    .filter(([n]) => n > 0)
    .map(([n, one, many]) => `${n} ${n === 1 ? one : many}`)
    .join(', ');
}

/** The counts that are not zero, e.g. `['38 created', '2 failed']` (`total` is not one). */
export function describeCounts(counts: Partial<Report['counts']>): string[] {
  return Object.entries(counts)
    .filter(([k, n]) => k !== 'total' && (n ?? 0) > 0)
    .map(([k, n]) => `${n} ${k.replace('_', ' ')}`);
}

export function summaryMarkdown(report: Report, files: { failedManifest?: string } = {}): string {
  const c = report.counts;
  const lines = [
    `# ${report.operation === 'destroy' ? 'Destroy' : 'Provisioning'} run ${report.run_id}: ${report.status}`,
    '',
    `Manifest: \`${report.manifest.uri}\`${report.manifest.sha256 ? ` (sha256 ${report.manifest.sha256.slice(0, 12)}…)` : ''}`,
    `Started ${report.started_at}, finished ${report.finished_at} (${(report.duration_ms / 1000).toFixed(1)} s).`,
    'Every task, searchable, and the run second by second: [report.html](report.html) in this folder.',
  ];
  if (report.retry_of) {
    lines.push(`Retries run ${report.retry_of.run_id} of \`${report.retry_of.manifest}\` (its failed.yaml).`);
  }
  if (report.reason) lines.push('', `**${report.status === 'rejected' ? 'Rejected' : 'Stopped'}:** ${report.reason}`);
  // What a reader must see first: the executions that failed.
  lines.push(...failedExecutions(report.tasks));
  const columns: Array<keyof typeof c> =
    report.operation === 'destroy'
      ? ['total', 'deleted', 'absent', 'foreign', 'failed', 'invalid', 'not_attempted']
      : ['total', 'created', 'updated', 'existing', 'failed', 'invalid', 'not_attempted'];
  lines.push(
    '',
    `| ${columns.map((k) => k.replace('_', ' ')).join(' | ')} |`,
    `|${columns.map(() => '---:').join('|')}|`,
    `| ${columns.map((k) => c[k] ?? 0).join(' | ')} |`,
    '',
    `Requests: ${report.stats.requests}, retries: ${report.stats.retries}, throttled (429): ${report.stats.throttled}` +
      (report.stats.effective_rate !== undefined ? `, effective rate: ${report.stats.effective_rate} writes/s.` : '.'),
  );
  const steps = describeSteps(report.steps);
  if (steps) lines.push('', `Schedules and starts: ${steps}.`);
  if (report.verify) lines.push('', `Verified executions: ${describeVerify(report.verify)}.`);
  for (const n of report.notes ?? []) lines.push('', `> ${n}`);
  if (report.errors.length) {
    lines.push(
      '',
      '## Manifest problems',
      '',
      ...firstListed(
        report.errors,
        (e) =>
          `- ${e.line !== undefined ? `line ${e.line}${e.column !== undefined ? `:${e.column}` : ''}: ` : ''}${e.message}`,
        moreIn('report.json'),
      ),
    );
  }
  const failed = report.tasks.filter((t) => t.status === 'failed' || t.status === 'invalid');
  if (failed.length) {
    const byCode = new Map<string, { n: number; example: string }>();
    for (const t of failed) {
      const k = t.error_code ?? 'UNKNOWN';
      const e = byCode.get(k) ?? { n: 0, example: t.error_msg ?? '' };
      e.n += 1;
      byCode.set(k, e);
    }
    lines.push('', '## Top errors', '', '| code | tasks | example |', '|---|---:|---|');
    for (const [code, e] of [...byCode].sort((a, b) => b[1].n - a[1].n).slice(0, 10))
      lines.push(`| ${code} | ${e.n} | ${cell(e.example)} |`);
    lines.push(
      '',
      '## Failed tasks',
      '',
      ...firstListed(
        failed,
        (t) => `- \`${t.name}\` (line ${t.line}): ${t.error_code ?? ''} ${t.error_msg ?? ''}`.trimEnd(),
        moreIn('tasks.csv'),
      ),
    );
  }
  if (files.failedManifest) {
    const how = report.operation === 'destroy' ? 'destroy' : 'apply or upload';
    lines.push('', `To retry what failed or was not attempted, ${how} \`${files.failedManifest}\` as is.`);
  }
  lines.push(...leftAlone(report.tasks), ...changedTasks(report.tasks));
  return `${lines.join('\n')}\n`;
}

/** The verification in words, e.g. "9 succeeded, 1 failed (unhealthy; the deadline came first)". */
export function describeVerify(v: NonNullable<Report['verify']>): string {
  const counts = EXECUTION_STATES.map((s) => `${v.counts[s]} ${s}`).join(', ');
  const ended = v.ended === 'deadline' ? '; the deadline came first' : v.ended === 'stopped' ? '; stopped early' : '';
  return `${v.tasks} task(s): ${counts} (${v.healthy ? 'healthy' : 'not healthy'}${ended}, within ${v.timeout_s} s)`;
}

/** The executions `apply --verify` saw fail, with FDI's remarks: first in the summary. */
function failedExecutions(tasks: readonly TaskResult[]): string[] {
  const failed = tasks.filter((t) => t.execution?.state === 'failed');
  if (!failed.length) return [];
  const row = (t: TaskResult) => {
    const e = t.execution!;
    return `| ${code(t.name)} | ${cell(t.target?.instance_id ?? '')} | ${e.execute_status ?? ''} | ${e.data_count ?? ''} | ${e.dirty_data_count ?? ''} | ${cell(e.remarks ?? e.note ?? '')} |`;
  };
  return [
    '',
    '## Failed executions',
    '',
    '| task | instance | status | rows written | dirty rows | remarks |',
    '|---|---|---|---:|---:|---|',
    ...firstListed(failed, row, moreRows),
  ];
}

/** The tasks a destroy left alone: another definition under the manifest's name. */
function leftAlone(tasks: readonly TaskResult[]): string[] {
  const foreign = tasks.filter((t) => t.status === 'foreign');
  if (!foreign.length) return [];
  return [
    '',
    '## Left alone',
    '',
    `${foreign.length} task(s) of the manifest's names were not deleted:`,
    '',
    ...firstListed(
      foreign,
      (t) => `- \`${t.name}\` (task ${t.task_id ?? '?'}, line ${t.line}): ${t.note ?? ''}`.trimEnd(),
      moreIn('tasks.csv'),
    ),
  ];
}

/**
 * The tasks the run overwrote or deleted (TaskResult.before): what each was before and is after, the
 * first MAX_LISTED.
 */
function changedTasks(tasks: readonly TaskResult[]): string[] {
  const changed = tasks.filter((t) => t.before !== undefined && (t.status === 'updated' || t.status === 'deleted'));
  if (!changed.length) return [];
  const deleted = changed.filter((t) => t.status === 'deleted').length;
  const overwritten = changed.length - deleted;
  const what = [
    overwritten && `${overwritten} existing ${overwritten === 1 ? 'task was' : 'tasks were'} overwritten`,
    deleted && `${deleted} ${deleted === 1 ? 'task was' : 'tasks were'} deleted`,
  ].filter(Boolean);
  const row = (t: TaskResult) => {
    const before = t.before!;
    return `| ${code(t.name)} | ${cell(t.target?.instance_id ?? '')} | ${code(before.task_id)} → ${t.task_id && t.status !== 'deleted' ? code(t.task_id) : '— (deleted)'} | ${before.modified ?? 'unknown'} |`;
  };
  return [
    '',
    '## Changed tasks',
    '',
    `${what.join(' and ')} by this run:`,
    '',
    '| task | instance | task ID before → after | last modified before |',
    '|---|---|---|---|',
    ...firstListed(changed, row, moreRows),
  ];
}

/** The lines of the first MAX_LISTED items, and `more`'s saying how many are left out. */
function firstListed<T>(items: readonly T[], line: (item: T) => string, more: (n: number) => string[]): string[] {
  const lines = items.slice(0, MAX_LISTED).map(line);
  if (items.length > MAX_LISTED) lines.push(...more(items.length - MAX_LISTED));
  return lines;
}

/** After a list: where the rest are. */
const moreIn = (file: string) => (n: number) => [`- … and ${n} more (${file} has them all)`];

/** After a table: where the rest are. */
const moreRows = (n: number) => ['', `+${n} more (see report.json / tasks.csv)`];

/** A name or ID in a table cell, as code. */
function code(s: string): string {
  return `\`${cell(s).replace(/`/g, "'")}\``;
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\s+/g, ' ').slice(0, 160);
}
