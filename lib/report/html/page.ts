/**
 * report.html: one self-contained page per run (docs/ARCHITECTURE.md, "Reports"). It loads nothing:
 * its Content-Security-Policy forbids every fetch, allows its one inline script by hash and inline
 * styles. Rendered in one pass into an array of strings joined once. Pure.
 */
import { createHash } from 'node:crypto';
import { statusesOf, type Report } from '../types.js';
import { timelineCharts } from './charts.js';
import { runNotes, runSettings } from './details.js';
import { esc, scriptJson } from './escape.js';
import { formatCount, formatSeconds } from './format.js';
import { PAGE_SCRIPT } from './page-script.js';
import { PAGE_STYLE } from './page-style.js';
import { statusCounts, taskTable } from './task-table.js';

const BAD_STATUSES = new Set(['failed', 'invalid', 'not_attempted', 'foreign']);

/** The page's policy: nothing from the network, this script only, inline styles, data: images. */
export function contentSecurityPolicy(script: string): string {
  const hash = createHash('sha256').update(script, 'utf8').digest('base64');
  return [
    "default-src 'none'",
    `script-src 'sha256-${hash}'`,
    "style-src 'unsafe-inline'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

function head(out: string[], r: Report, title: string): void {
  out.push(
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${esc(contentSecurityPolicy(PAGE_SCRIPT))}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    `<title>${esc(title)}: ${esc(r.status)}</title>`,
    `<style>${PAGE_STYLE}</style></head><body>`,
  );
}

function summary(out: string[], r: Report): void {
  out.push('<section id="summary"><div class="cards">');
  out.push(`<div class="card" data-count="total"><b>${esc(formatCount(r.counts.total))}</b><span>total</span></div>`);
  for (const s of statusesOf(r.operation)) {
    const n = r.counts[s] ?? 0;
    const bad = n > 0 && BAD_STATUSES.has(s) ? ' bad' : '';
    out.push(
      `<div class="card${bad}" data-count="${esc(s)}"><b>${esc(formatCount(n))}</b><span>${esc(s.replace('_', ' '))}</span></div>`,
    );
  }
  out.push(
    `<div class="card" data-stat="duration"><b>${esc(formatSeconds(r.duration_ms / 1000))}</b><span>duration</span></div>`,
  );
  if (r.stats.effective_rate !== undefined)
    out.push(
      `<div class="card" data-stat="effective-rate"><b>${esc(r.stats.effective_rate)}</b><span>writes/s effective</span></div>`,
    );
  out.push('</div></section>');
}

function tasksSection(out: string[], r: Report): void {
  const table = taskTable(r);
  out.push(
    `<section id="tasks"><h2>Tasks (${esc(formatCount(r.tasks.length))})</h2>`,
    '<div class="controls"><label>Status <select id="status-filter">',
    `<option value="all">all (${esc(formatCount(r.tasks.length))})</option>`,
  );
  const counts = statusCounts(r);
  const problems = counts.filter(([s]) => s === 'failed' || s === 'invalid').reduce((n, [, c]) => n + c, 0);
  if (problems) out.push(`<option value="problems">failed or invalid (${esc(formatCount(problems))})</option>`);
  for (const [s, n] of counts)
    out.push(`<option value="${esc(s)}">${esc(s.replace('_', ' '))} (${esc(formatCount(n))})</option>`);
  out.push(
    '</select></label>',
    '<label>Name <input id="name-search" type="search" placeholder="part of a task name" autocomplete="off"></label>',
    '<span id="shown-count" class="muted"></span></div>',
    '<table id="task-table"><thead><tr>',
  );
  for (let i = 0; i < table.cols.length; i++)
    out.push(`<th class="col-${esc(table.cols[i])}">${esc(table.labels[i])}</th>`);
  out.push(
    '</tr></thead><tbody id="task-rows"></tbody></table>',
    '<button id="show-more" type="button" hidden>Show more</button>',
    '<noscript><p>The table needs JavaScript; tasks.csv beside this file has every task.</p></noscript></section>',
    `<script type="application/json" id="report-data">${scriptJson({ cols: table.cols, rows: table.rows })}</script>`,
  );
}

/** report.html of a run. */
export function reportHtml(r: Report): string {
  const title = `${r.operation === 'destroy' ? 'Destroy' : 'Provisioning'} run ${r.run_id}`;
  const out: string[] = [];
  head(out, r, title);
  out.push(
    `<header><h1>${esc(title)} <span id="run-status" class="badge ${esc(r.status)}">${esc(r.status)}</span></h1>`,
    `<p class="muted">Manifest <span id="manifest-uri">${esc(r.manifest.uri)}</span> · started ${esc(r.started_at)}</p></header>`,
  );
  if (r.reason)
    out.push(
      `<p class="reason" id="reason"><b>${r.status === 'rejected' ? 'Rejected' : 'Stopped'}:</b> ${esc(r.reason)}</p>`,
    );
  summary(out, r);
  out.push('<section id="charts"><h2>Over the run</h2>');
  timelineCharts(out, r.timeline, r.counts.total);
  out.push('</section><section id="run"><h2>The run</h2>');
  runSettings(out, r);
  runNotes(out, r);
  out.push('</section>');
  tasksSection(out, r);
  out.push(`<script>${PAGE_SCRIPT}</script></body></html>\n`);
  return out.join('');
}
