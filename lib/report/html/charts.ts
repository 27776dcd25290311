/**
 * The charts of report.html, drawn as inline SVG from the report's timeline: requests per second by
 * outcome, and tasks done over the run. Only numbers reach the markup. Pure.
 */
import type { Timeline } from '../types.js';
import { esc } from './escape.js';
import { formatSeconds } from './format.js';

const WIDTH = 820;
const HEIGHT = 220;
const PAD = { left: 56, right: 16, top: 12, bottom: 30 } as const;

/** The series of the request chart, with their colours (also the legend's). */
export const REQUEST_SERIES = [
  { key: 'accepted', label: 'accepted', color: '#2e7d32' },
  { key: 'throttled', label: 'throttled (429)', color: '#ef6c00' },
  { key: 'failed', label: 'failed', color: '#c62828' },
  { key: 'retried', label: 'retried', color: '#1565c0' },
] as const;

const PROGRESS_COLOR = '#6a1b9a';

/** A round upper bound for an axis: 1, 2 or 5 times a power of ten. */
function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/** The frame of a chart: axes, gridlines and tick labels; `x` and `y` map data to the plot area. */
function frame(out: string[], maxY: number, seconds: number, yLabel: string): void {
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  for (const f of [0, 0.5, 1]) {
    const y = PAD.top + plotH * (1 - f);
    out.push(
      `<line x1="${PAD.left}" x2="${PAD.left + plotW}" y1="${y}" y2="${y}" class="grid"/>`,
      `<text x="${PAD.left - 6}" y="${y + 4}" text-anchor="end">${esc(fmt(maxY * f))}</text>`,
    );
  }
  for (const f of [0, 0.25, 0.5, 0.75, 1]) {
    const x = PAD.left + plotW * f;
    const anchor = f === 0 ? 'start' : f === 1 ? 'end' : 'middle';
    out.push(`<text x="${x}" y="${HEIGHT - 10}" text-anchor="${anchor}">${esc(formatSeconds(seconds * f))}</text>`);
  }
  out.push(
    `<text x="12" y="${PAD.top + plotH / 2}" transform="rotate(-90 12 ${PAD.top + plotH / 2})" text-anchor="middle">${esc(yLabel)}</text>`,
  );
}

/**
 * The points of one series as an SVG polyline's `points`: one per step, at the step's middle; a run of
 * one step (shorter than `step_s`) is a level line across it, since a one-point polyline draws nothing.
 */
function points(values: readonly number[], maxY: number, scale: number): string {
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  if (values.length === 1) {
    const y = (PAD.top + plotH * (1 - (values[0]! * scale) / maxY)).toFixed(1);
    return `${PAD.left.toFixed(1)},${y} ${(PAD.left + plotW).toFixed(1)},${y}`;
  }
  const n = Math.max(values.length, 1);
  const parts: string[] = [];
  for (let i = 0; i < values.length; i++) {
    const x = PAD.left + (plotW * (i + 0.5)) / n;
    const y = PAD.top + plotH * (1 - (values[i]! * scale) / maxY);
    parts.push(`${x.toFixed(1)},${y.toFixed(1)}`);
  }
  return parts.join(' ');
}

function svgOpen(out: string[], id: string, label: string): void {
  out.push(
    `<svg id="${esc(id)}" class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${esc(label)}">`,
    `<title>${esc(label)}</title>`,
  );
}

/** Requests per second over the run, one line per outcome. */
function requestChart(out: string[], t: Timeline): void {
  const seconds = t.accepted.length * t.step_s;
  const perSecond = 1 / t.step_s;
  let max = 0;
  for (const s of REQUEST_SERIES) for (const v of t[s.key]) max = Math.max(max, v * perSecond);
  const maxY = niceMax(max);
  out.push('<div class="chart-box"><h3>Requests per second</h3><p class="legend">');
  for (const s of REQUEST_SERIES) out.push(`<span><i style="background:${s.color}"></i>${esc(s.label)}</span>`);
  out.push('</p>');
  svgOpen(out, 'chart-requests', 'Requests per second over the run: accepted, throttled, failed, retried');
  frame(out, maxY, seconds, 'requests/s');
  for (const s of REQUEST_SERIES)
    out.push(
      `<polyline data-series="${s.key}" fill="none" stroke="${s.color}" stroke-width="1.5" points="${points(t[s.key], maxY, perSecond)}"/>`,
    );
  out.push('</svg></div>');
}

/** Tasks done over the run, cumulative. */
function progressChart(out: string[], t: Timeline, total: number): void {
  const cumulative: number[] = [];
  let sum = 0;
  for (const d of t.done) cumulative.push((sum += d));
  const maxY = Math.max(total, sum, 1);
  const seconds = t.done.length * t.step_s;
  out.push(
    `<div class="chart-box"><h3>Progress</h3><p class="legend"><span><i style="background:${PROGRESS_COLOR}"></i>tasks done</span></p>`,
  );
  svgOpen(out, 'chart-progress', `Tasks done over the run: ${sum} of ${total}`);
  frame(out, maxY, seconds, 'tasks done');
  out.push(
    `<polyline data-series="done" fill="none" stroke="${PROGRESS_COLOR}" stroke-width="2" points="${points(cumulative, maxY, 1)}"/>`,
    '</svg></div>',
  );
}

/** The charts section's content, or a sentence saying there is no timeline. */
export function timelineCharts(out: string[], timeline: Timeline | undefined, total: number): void {
  if (!timeline || timeline.accepted.length === 0) {
    out.push(
      '<p id="no-timeline" class="muted">This report has no timeline: the run sent no requests, or ran before timelines were recorded.</p>',
    );
    return;
  }
  out.push(`<p class="muted">One point per ${esc(formatSeconds(timeline.step_s))} from ${esc(timeline.start)}.</p>`);
  out.push('<div class="charts">');
  requestChart(out, timeline);
  progressChart(out, timeline, total);
  out.push('</div>');
}
