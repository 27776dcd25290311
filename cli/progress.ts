/**
 * Progress on stderr: a bar when stderr is a terminal (created/failed/remaining, current rate, ETA),
 * plain periodic lines otherwise (CI logs, Lambda). Nothing at all with --quiet.
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
  const counts = { done: 0, created: 0, failed: 0, existing: 0 };
  const startedAt = performance.now();
  const rate = () => counts.done / Math.max(0.001, (performance.now() - startedAt) / 1000);
  const tally = (r: TaskResult) => {
    counts.done += 1;
    if (r.status === 'created' || r.status === 'updated') counts.created += 1;
    else if (r.status === 'failed') counts.failed += 1;
    else if (r.status === 'existing') counts.existing += 1;
  };
  if (options.quiet) return { start() {}, update: tally, stop() {} };
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format:
          ' {bar} {percentage}% | {value}/{total} | created {created} existing {existing} failed {failed} | {rate} tasks/s | ETA {eta_formatted}',
        hideCursor: true,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    return {
      start: (total) => bar.start(total, 0, { ...counts, rate: rate().toFixed(1) }),
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
      `progress: ${counts.done}/${total} done, ${counts.created} created, ${counts.existing} existing, ${counts.failed} failed, rate ${rate().toFixed(1)}/s\n`,
    );
  return {
    start(t) {
      total = t;
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
