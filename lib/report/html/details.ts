/**
 * The run's settings and notes in report.html: what report.json holds besides the tasks, as
 * definition lists. Every value goes through esc(). Pure.
 */
import { describeSteps, describeVerify } from '../summary-md.js';
import type { Report } from '../types.js';
import { esc } from './escape.js';
import { formatCount, formatSeconds } from './format.js';

type Entry = [label: string, value: string | number | undefined];

function list(out: string[], id: string, entries: readonly Entry[]): void {
  const present = entries.filter(([, v]) => v !== undefined && v !== '');
  if (!present.length) return;
  out.push(`<dl id="${esc(id)}">`);
  for (const [k, v] of present) out.push(`<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`);
  out.push('</dl>');
}

/** The run: manifest, who asked, policy, target, retry, timing, traffic, steps, verification. */
export function runSettings(out: string[], r: Report): void {
  const by = r.requested_by;
  list(out, 'settings', [
    ['run ID', r.run_id],
    ['operation', r.operation],
    ['manifest', r.manifest.uri],
    ['manifest ETag', r.manifest.etag],
    ['manifest version', r.manifest.version_id],
    ['manifest sha256', r.manifest.sha256],
    ['requested via', by?.via],
    ['requested by', by?.principal ?? (by?.user ? `${by.user}${by.host ? `@${by.host}` : ''}` : undefined)],
    ['source address', by?.source_ip],
    ['upload time', by?.event_time],
    [
      'policy',
      r.policy ? `${r.policy.origin}${r.policy.rule ? ` (rule ${r.policy.rule})` : ' (no rule covers it)'}` : undefined,
    ],
    ['target project', r.target?.project_id],
    ['target instance', r.target?.instance_id],
    ['retries', r.retry_of ? `run ${r.retry_of.run_id} of ${r.retry_of.manifest}` : undefined],
    ['started', r.started_at],
    ['finished', r.finished_at],
    ['duration', formatSeconds(r.duration_ms / 1000)],
    ['requests', formatCount(r.stats.requests)],
    ['retries sent', formatCount(r.stats.retries)],
    ['throttled (429)', formatCount(r.stats.throttled)],
    ['effective rate', r.stats.effective_rate !== undefined ? `${r.stats.effective_rate} writes/s` : undefined],
    ['schedules and starts', describeSteps(r.steps)],
    ['verified executions', r.verify ? describeVerify(r.verify) : undefined],
    ['verification note', r.verify?.note],
  ]);
}

/** The notes, and the manifest's problems of a rejected run, each located. */
export function runNotes(out: string[], r: Report): void {
  if (r.notes?.length) {
    out.push('<h2>Notes</h2><ul id="notes">');
    for (const n of r.notes) out.push(`<li>${esc(n)}</li>`);
    out.push('</ul>');
  }
  if (r.errors.length) {
    out.push(`<h2>Manifest problems (${esc(formatCount(r.errors.length))})</h2><ul id="manifest-errors">`);
    for (const e of r.errors) {
      const where = [
        e.file,
        e.line !== undefined ? `${e.line}${e.column !== undefined ? `:${e.column}` : ''}` : undefined,
      ]
        .filter(Boolean)
        .join(':');
      out.push(
        '<li>',
        where ? `<span class="where">${esc(where)}</span> ` : '',
        e.task ? `<span class="task">${esc(e.task)}</span>: ` : '',
        esc(e.message),
        e.hint ? ` <span class="muted">(hint: ${esc(e.hint)})</span>` : '',
        '</li>',
      );
    }
    out.push('</ul>');
  }
}
