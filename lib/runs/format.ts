/** `runs` for a person: the list as a table, one run in detail, a watched run's one-line changes. Pure. */
import { describeCounts } from '../report/summary-md.js';
import type { RunDetail, RunsPage, RunSummary } from './types.js';

const COLUMNS = ['RUN ID', 'STATE', 'PROGRESS', 'STARTED', 'DURATION', 'OPERATION', 'MANIFEST', 'COUNTS'] as const;

/** `12/40`, or `-` before planning. */
export function progressText(p: RunSummary['progress']): string {
  return p ? `${p.done}/${p.total}` : '-';
}

/** `2026-11-28 20:38:28Z`. */
function timeText(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/** `850 ms`, `12.3 s`, `4 min 05 s`, `2 h 03 min`. */
export function durationText(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(Math.floor(s % 60)).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** The counts that are not zero, e.g. `38 created, 2 failed`; `-` when none are known. */
export function countsText(counts: RunSummary['counts']): string {
  const parts = counts ? describeCounts(counts) : [];
  return parts.length ? parts.join(', ') : '-';
}

function row(r: RunSummary): string[] {
  return [
    r.run_id,
    r.state,
    progressText(r.progress),
    timeText(r.started_at),
    durationText(r.duration_ms),
    r.operation,
    r.manifest,
    countsText(r.counts),
  ];
}

/** The page as an aligned table, and a line saying which runs of how many it shows. */
export function runsTable(page: RunsPage): string {
  if (page.total === 0) return `no runs in ${page.location}\n`;
  const rows = [[...COLUMNS], ...page.runs.map(row)];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const lines = rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  '));
  const last = page.offset + page.runs.length;
  const more = last < page.total ? `; --offset ${last} for older ones` : '';
  return `${lines.join('\n')}\n${page.offset + 1}–${last} of ${page.total} run(s) in ${page.location}, newest first${more}\n`;
}

/** One run in detail. */
export function runDetailText(d: RunDetail): string {
  const lines = [
    `run ${d.run_id}: ${d.state}`,
    `manifest:   ${d.manifest}`,
    `operation:  ${d.operation}`,
    `progress:   ${progressText(d.progress)}`,
    `started:    ${timeText(d.started_at)}`,
    d.finished_at ? `finished:   ${timeText(d.finished_at)}` : undefined,
    `duration:   ${durationText(d.duration_ms)}`,
    d.heartbeat_at
      ? `heartbeat:  ${timeText(d.heartbeat_at)}${d.invocation ? ` (invocation ${d.invocation})` : ''}`
      : undefined,
    `counts:     ${countsText(d.counts)}${ofText(d)}`,
    d.pending_invocation !== null
      ? `pending:    invocation ${d.pending_invocation} (continuation or takeover on its way)`
      : undefined,
    `report:     ${d.report ?? '(not written yet)'}`,
    d.requested_by ? `requested by: ${requester(d.requested_by)}` : undefined,
    d.reason ? `reason:     ${d.reason}` : undefined,
  ];
  const out = lines.filter((l): l is string => l !== undefined);
  if (d.top_errors.length) {
    out.push('top errors:');
    for (const e of d.top_errors) out.push(`  ${e.code}  ${e.tasks} task(s)  ${e.example}`.trimEnd());
  }
  if (d.errors.length) {
    out.push('manifest errors:');
    for (const e of d.errors.slice(0, 20))
      out.push(`  ${e.line !== undefined ? `line ${e.line}: ` : ''}${e.task ? `${e.task}: ` : ''}${e.message}`);
    if (d.errors.length > 20) out.push(`  … and ${d.errors.length - 20} more (report.json)`);
  }
  if (d.notes.length) out.push('notes:', ...d.notes.map((n) => `  - ${n}`));
  return `${out.join('\n')}\n`;
}

/**
 * ` (of 40)`: of the plan's tasks when the progress knows them (a live run's counts tally only its
 * results so far), else of the counts' total.
 */
function ofText(d: RunDetail): string {
  const total = d.progress?.total ?? d.counts?.total;
  return total !== undefined ? ` (of ${total})` : '';
}

function requester(r: NonNullable<RunDetail['requested_by']>): string {
  const who = r.via === 'cli' ? [r.user, r.host].filter(Boolean).join('@') : (r.principal ?? '');
  return [r.via, who, r.source_ip ? `from ${r.source_ip}` : ''].filter(Boolean).join(' ');
}

/** A watched run's line on a pipe: `20:38:40Z 20261128T203828Z-1a2b3c running 12/40`. */
export function watchLine(r: RunSummary, now: Date): string {
  const counts = r.state === 'running' ? '' : `  ${countsText(r.counts)}`;
  return `${now.toISOString().slice(11, 19)}Z ${r.run_id} ${r.state} ${progressText(r.progress)}${counts}\n`;
}
