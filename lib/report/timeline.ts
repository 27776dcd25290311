/**
 * The run's timeline as it goes (the `Timeline` of report.json): counts per point of `step_s` seconds
 * from the run's start. Recording is one array increment per request, so it costs nothing a run would
 * notice; the points are bounded (MAX_POINTS), the step doubling as a long run needs. Pure.
 */
import type { Timeline } from './types.js';

export type TimelineSeries = 'accepted' | 'throttled' | 'failed' | 'retried' | 'done';

const SERIES: readonly TimelineSeries[] = ['accepted', 'throttled', 'failed', 'retried', 'done'];

/** At most this many points: 30 minutes at one second each, then two seconds each, and so on. */
export const MAX_POINTS = 1_800;

export class TimelineRecorder {
  readonly #startMs: number;
  #stepS = 1;
  readonly #series: Record<TimelineSeries, number[]>;

  /**
   * `now`: the run's clock (epoch ms); `earlier`: the timeline an earlier invocation of the run saved
   * (a continuation adds to it).
   */
  constructor(
    start: Date,
    private readonly now: () => number,
    earlier?: Timeline,
  ) {
    this.#startMs = start.getTime();
    const usable = earlier && validTimeline(earlier);
    this.#stepS = usable ? earlier.step_s : 1;
    this.#series = copySeries(usable ? earlier : undefined);
  }

  /** One event of `series`, now (a clock behind the start counts it in the first point). */
  add(series: TimelineSeries): void {
    let point = Math.max(0, Math.floor((this.now() - this.#startMs) / (this.#stepS * 1000)));
    while (point >= MAX_POINTS) {
      this.#coarsen();
      point = Math.floor(point / 2);
    }
    const values = this.#series[series];
    while (this.#length() <= point) for (const s of SERIES) this.#series[s].push(0);
    values[point] = (values[point] ?? 0) + 1;
  }

  /** The timeline so far, or undefined when nothing happened yet. */
  snapshot(): Timeline | undefined {
    if (this.#length() === 0) return undefined;
    return { start: new Date(this.#startMs).toISOString(), step_s: this.#stepS, ...copySeries(this.#series) };
  }

  #length(): number {
    return this.#series.accepted.length;
  }

  /** Doubles the step: each pair of points becomes one. */
  #coarsen(): void {
    this.#stepS *= 2;
    for (const s of SERIES) {
      const old = this.#series[s];
      const merged: number[] = [];
      for (let i = 0; i < old.length; i += 2) merged.push((old[i] ?? 0) + (old[i + 1] ?? 0));
      this.#series[s] = merged;
    }
  }
}

/** Each series of `from`, copied; each empty without one. */
function copySeries(from?: Record<TimelineSeries, number[]>): Record<TimelineSeries, number[]> {
  return Object.fromEntries(SERIES.map((s) => [s, from ? [...from[s]] : []])) as Record<TimelineSeries, number[]>;
}

/** A saved timeline this recorder can continue: every series as long as the others, a sane step. */
function validTimeline(t: Timeline): boolean {
  const n = t.accepted?.length;
  return (
    Number.isInteger(t.step_s) &&
    t.step_s >= 1 &&
    Array.isArray(t.accepted) &&
    n <= MAX_POINTS &&
    SERIES.every((s) => Array.isArray(t[s]) && t[s].length === n)
  );
}
