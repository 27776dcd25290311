/**
 * The run-end notice (docs/NOTIFY.md): a small, stable summary of a finished run's report, and the body
 * a receiver gets in each format. Pure: built from the report and where it was written.
 */
import { describeCounts } from '../report/summary-md.js';
import type { Counts, Operation, Report, RequestedBy, RunStatus } from '../report/types.js';
import type { NotifyFormat } from './settings.js';

/** What every notice says (`format: json`). Every key is always present; unknown values are null. */
export interface RunNotice {
  /**
   * What this object is; a receiver that serves several senders can route on it. Not named `type`:
   * Mattermost refuses an incoming webhook whose `type` does not begin with `custom_`.
   */
  event: 'fdi-provisioner.run.finished';
  /** The shape's version: a key is only ever added, never renamed or removed, within a version. */
  version: 1;
  run_id: string;
  operation: Operation;
  /** The manifest's URI (`s3://bucket/key` or a local path). */
  manifest: string;
  /** The report's `status`: succeeded, partial, failed, rejected or aborted. */
  status: RunStatus;
  /** Why a run was rejected or aborted, in one sentence (the report's `reason`). */
  reason: string | null;
  counts: Counts;
  started_at: string;
  finished_at: string;
  duration_ms: number;
  /** The report's folder: `s3://bucket/reports/<path>/<run-id>/`, or a local folder. */
  report: string;
  requested_by: RequestedBy | null;
  /** One line for people: chat tools that take `{"text": …}` (Slack, Mattermost, Rocket.Chat) show it as is. */
  text: string;
}

/** Who hears that a run ended (RunDeps.notify). It never rejects: a notice that fails is logged, nothing more. */
export type Notifier = (notice: RunNotice) => Promise<void>;

/** A reason is cut to this many characters in `text` (the whole one is in `reason` and the report). */
const TEXT_REASON_MAX = 300;

/** The notice of a finished run whose report was written to `location`. */
export function runNotice(report: Report, location: string): RunNotice {
  const notice: Omit<RunNotice, 'text'> = {
    event: 'fdi-provisioner.run.finished',
    version: 1,
    run_id: report.run_id,
    operation: report.operation,
    manifest: report.manifest.uri,
    status: report.status,
    reason: report.reason ?? null,
    counts: report.counts,
    started_at: report.started_at,
    finished_at: report.finished_at,
    duration_ms: report.duration_ms,
    report: location,
    requested_by: report.requested_by ?? null,
  };
  return { ...notice, text: noticeText(notice) };
}

/**
 * `fdi-provisioner: apply of s3://b/manifests/w1.yaml partial in 12.3 s — 10 tasks: 8 created, 2 failed;
 * requested by alice@laptop; report s3://b/reports/w1/20261129T…/`
 */
export function noticeText(n: Omit<RunNotice, 'text'>): string {
  const counted = describeCounts(n.counts);
  const tasks = `${n.counts.total} task${n.counts.total === 1 ? '' : 's'}${counted.length ? `: ${counted.join(', ')}` : ''}`;
  const parts = [
    `fdi-provisioner: ${n.operation} of ${n.manifest} ${n.status} in ${seconds(n.duration_ms)} — ${tasks}`,
  ];
  if (n.reason) parts.push(cut(n.reason, TEXT_REASON_MAX));
  const by = requester(n.requested_by);
  if (by) parts.push(`requested by ${by}`);
  parts.push(`report ${n.report}`);
  return parts.join('; ');
}

/** The request body in the receiver's format: ours, or a chat tool's text message carrying `text`. */
export function noticeBody(notice: RunNotice, format: NotifyFormat): unknown {
  switch (format) {
    case 'feishu':
      return { msg_type: 'text', content: { text: notice.text } };
    case 'dingtalk':
    case 'wecom':
      return { msgtype: 'text', text: { content: notice.text } };
    default:
      return notice;
  }
}

function requester(r: RequestedBy | null): string | undefined {
  if (!r) return undefined;
  if (r.via === 'cli') return r.user && r.host ? `${r.user}@${r.host}` : (r.user ?? r.host);
  return r.principal;
}

function seconds(ms: number): string {
  return ms < 60_000
    ? `${(ms / 1000).toFixed(1)} s`
    : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

function cut(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}
