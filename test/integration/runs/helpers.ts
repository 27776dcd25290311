/** What the runs tests share: `runs --json` through the compiled CLI, and waiting for a run's state. */
import { expect } from 'vitest';
import type { RunDetail, RunsPage, RunSummary } from '../../../lib/runs/types.js';
import { runCli, type CliOptions } from '../../helpers/cli.js';

/** The liveness the tests run with: a beat a second, stalled after 3 s of silence (FDI_STALE_AFTER_MS). */
export const FAST_LIVENESS = { FDI_HEARTBEAT_MS: '1000', FDI_STALE_AFTER_MS: '3000' };

/** `runs [where] --json`: the page. */
export async function runsPage(args: string[], options: CliOptions): Promise<RunsPage> {
  const res = await runCli(['runs', ...args, '--json'], options);
  expect(res.code, res.stderr).toBe(0);
  return JSON.parse(res.stdout) as RunsPage;
}

/** `runs <id> [where] --json`: the run. */
export async function runDetail(args: string[], options: CliOptions): Promise<RunDetail> {
  const res = await runCli(['runs', ...args, '--json'], options);
  expect(res.code, res.stderr).toBe(0);
  return JSON.parse(res.stdout) as RunDetail;
}

/**
 * A killed run as `runs` lists it once stalled: not ended, no report, its progress of its `total` tasks
 * at least what was `seen` before the kill and short of the end.
 */
export function expectStalled(
  stalled: RunSummary,
  seen: RunSummary,
  total: number,
  source: RunSummary['source'],
): void {
  expect(stalled.progress!.total).toBe(total);
  expect(stalled.progress!.done).toBeGreaterThanOrEqual(seen.progress!.done);
  expect(stalled.progress!.done).toBeLessThan(total);
  expect(stalled).toMatchObject({ source, finished_at: null, report: null });
}

/** Polls `runs --json` until a listed run satisfies `ok`; fails after `timeoutMs` with the last page. */
export async function untilRun(
  args: string[],
  options: CliOptions,
  ok: (r: RunSummary) => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<RunSummary> {
  const end = Date.now() + timeoutMs;
  let last: RunsPage | undefined;
  while (Date.now() < end) {
    last = await runsPage(args, options);
    const found = last.runs.find(ok);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no run became ${what} within ${timeoutMs} ms; last page: ${JSON.stringify(last)}`);
}

export { SUMMARY_FIELDS } from '../../helpers/report.js';
