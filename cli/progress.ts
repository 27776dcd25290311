/**
 * Progress on stderr: a bar when stderr is a terminal (the report's statuses, current rate, ETA),
 * plain periodic lines otherwise (CI logs, Lambda). Nothing at all with --quiet, and nothing for a run
 * that executes nothing: it starts when execution does (the run's `planned` hook).
 */
import cliProgress from 'cli-progress';
import type { Operation, TaskResult, TaskStatus } from '../lib/report/types.js';
import type { RunObserver } from '../lib/run-types.js';

export interface Progress {
  start(total: number): void;
  update(result: TaskResult): void;
  stop(): void;
}

const PLAIN_EVERY_MS = 5000;

/** The statuses the progress shows, under the report's names: an apply's, or a destroy's. */
const SHOWN: Record<Operation, readonly TaskStatus[]> = {
  apply: ['created', 'updated', 'existing', 'failed'],
  destroy: ['deleted', 'absent', 'foreign', 'failed'],
};

export function createProgress(
  stream: NodeJS.WritableStream & { isTTY?: boolean | undefined },
  options: { quiet?: boolean | undefined; operation?: Operation | undefined },
): Progress {
  const progress = progressOn(stream, options);
  // Stopping twice (before verification, then at the end) shows the last state once.
  let stopped = false;
  return {
    start: (total) => progress.start(total),
    update: (r) => progress.update(r),
    stop: () => {
      if (!stopped) progress.stop();
      stopped = true;
    },
  };
}

/** The run's hooks that drive a progress: started with the plan's tasks that run (not the invalid), updated per result. */
export function progressObserver(progress: Progress): Required<Pick<RunObserver, 'planned' | 'result'>> {
  return {
    planned: (plan) => progress.start(plan.entries.filter((e) => e.action !== 'invalid').length),
    result: (r) => progress.update(r),
  };
}

function progressOn(
  stream: NodeJS.WritableStream & { isTTY?: boolean | undefined },
  options: { quiet?: boolean | undefined; operation?: Operation | undefined },
): Progress {
  const shown = SHOWN[options.operation ?? 'apply'];
  const counts: Record<string, number> = Object.fromEntries([['done', 0], ...shown.map((s) => [s, 0])]);
  const startedAt = performance.now();
  const rate = () => counts.done / Math.max(0.001, (performance.now() - startedAt) / 1000);
  const tally = (r: TaskResult) => {
    counts.done += 1;
    if (shown.includes(r.status)) counts[r.status] += 1;
  };
  if (options.quiet) return { start() {}, update: tally, stop() {} };
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: ` {bar} {percentage}% | {value}/{total} | ${shown.map((s) => `${s} {${s}}`).join(' ')} | {rate} tasks/s | ETA {eta_formatted}`,
        hideCursor: true,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    return {
      start: (total) => {
        if (total > 0) bar.start(total, 0, { ...counts, rate: rate().toFixed(1) });
      },
      update: (r) => {
        tally(r);
        bar.update(counts.done, { ...counts, rate: rate().toFixed(1) });
      },
      stop: () => bar.stop(),
    };
  }
  let total = 0;
  let timer: NodeJS.Timeout | undefined;
  const line = () =>
    stream.write(
      `progress: ${counts.done}/${total} done, ${shown.map((s) => `${counts[s]} ${s}`).join(', ')}, rate ${rate().toFixed(1)}/s\n`,
    );
  return {
    start(t) {
      total = t;
      if (total === 0) return;
      timer = setInterval(line, PLAIN_EVERY_MS);
      timer.unref();
    },
    update: tally,
    stop() {
      clearInterval(timer);
      if (total > 0) line();
    },
  };
}
