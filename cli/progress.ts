/**
 * Progress on stderr: a bar when stderr is a terminal (the report's statuses, current rate, ETA),
 * plain periodic lines otherwise (CI logs, Lambda). Nothing at all with --quiet, and nothing for a run
 * that executes nothing: it starts when execution does (the run's `planned` hook).
 */
import cliProgress from 'cli-progress';
import type { TaskResult } from '../lib/report/types.js';

export interface Progress {
  start(total: number): void;
  update(result: TaskResult): void;
  stop(): void;
}

const PLAIN_EVERY_MS = 5000;

export function createProgress(
  stream: NodeJS.WritableStream & { isTTY?: boolean | undefined },
  options: { quiet?: boolean | undefined },
): Progress {
  // The statuses the report counts, under the report's names.
  const counts = { done: 0, created: 0, updated: 0, existing: 0, failed: 0 };
  const startedAt = performance.now();
  const rate = () => counts.done / Math.max(0.001, (performance.now() - startedAt) / 1000);
  const tally = (r: TaskResult) => {
    counts.done += 1;
    if (r.status === 'created' || r.status === 'updated' || r.status === 'existing' || r.status === 'failed') {
      counts[r.status] += 1;
    }
  };
  if (options.quiet) return { start() {}, update: tally, stop() {} };
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format:
          ' {bar} {percentage}% | {value}/{total} | created {created} updated {updated} existing {existing} failed {failed} | {rate} tasks/s | ETA {eta_formatted}',
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
      `progress: ${counts.done}/${total} done, ${counts.created} created, ${counts.updated} updated, ` +
        `${counts.existing} existing, ${counts.failed} failed, rate ${rate().toFixed(1)}/s\n`,
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
