/**
 * `fdi-provision runs [run-id] [dir|s3://bucket[/prefix]]` (README, "Runs"): the runs a store knows,
 * newest first, or one run in detail; `--watch` refreshes until the run (or every run shown) has
 * ended; `--json` prints lib/runs/types.ts's `RunsPage` or `RunDetail`.
 */
import { loadConfig } from '../../lib/config.js';
import { EXIT, UserError } from '../../lib/errors.js';
import { exitCodeOf } from '../../lib/report/build-report.js';
import { RUN_ID_PATTERN, stillGoing } from '../../lib/runs/derive.js';
import { runDetailText, runsTable, watchLine } from '../../lib/runs/format.js';
import { listRuns, runWatcher, type RunsStore } from '../../lib/runs/list-runs.js';
import { runsStoreAt } from '../../lib/runs/source.js';
import type { RunDetail, RunsPage, RunSummary } from '../../lib/runs/types.js';
import { DEFAULT_LIVENESS } from '../../lib/trigger/liveness.js';
import type { CliContext, CommandAction } from '../context.js';

interface RunsFlags {
  json?: boolean;
  watch?: boolean;
  limit: string;
  offset: string;
  interval: string;
}

function whole(value: string, flag: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UserError(`${flag} must be a whole number from ${min} to ${max} (got ${JSON.stringify(value)})`);
  return n;
}

/** `runs [run-id] [where]`: an argument shaped like a run id is the run; the other is where. */
function parseArgs(args: string[]): { runId?: string | undefined; where?: string | undefined } {
  const [a, b] = args;
  if (a !== undefined && RUN_ID_PATTERN.test(a)) return { runId: a, where: b };
  if (b !== undefined && RUN_ID_PATTERN.test(b)) return { runId: b, where: a };
  if (b !== undefined) throw new UserError(`runs takes a run id and where to look (got "${a}" and "${b}")`);
  return { where: a };
}

const runs: CommandAction<RunsFlags> = async (args, flags, ctx) => {
  const { runId, where } = parseArgs(args);
  const config = loadConfig(ctx.env);
  const staleAfterMs = config.liveness?.staleAfterMs ?? DEFAULT_LIVENESS.staleAfterMs;
  const src = await runsStoreAt(where, config);
  const limit = whole(flags.limit, '--limit', 1, 1000);
  const offset = whole(flags.offset, '--offset', 0, Number.MAX_SAFE_INTEGER);
  const intervalMs = whole(flags.interval, '--interval', 1, 3600) * 1000;
  const look = () => lookAt().catch(unreadable(src));
  // One run: listed once to find it; under --watch, each later look reads only its own keys.
  const watcher = runId ? runWatcher(src, runId, { staleAfterMs }) : undefined;
  const lookAt = watcher
    ? async () => {
        const d = await watcher();
        if (!d) throw new UserError(`no run ${runId} in ${src.location}`, { hint: hintOf(src) });
        return d;
      }
    : () => listRuns(src, { limit, offset, staleAfterMs });
  const show = (v: RunDetail | RunsPage) =>
    flags.json ? `${JSON.stringify(v)}\n` : 'runs' in v ? runsTable(v) : runDetailText(v);
  const shown = (v: RunDetail | RunsPage): RunSummary[] => ('runs' in v ? v.runs : [v]);

  let view = await look();
  if (!flags.watch) {
    ctx.stdout.write(show(view));
    return EXIT.ok;
  }
  const redraw = Boolean(ctx.stdout.isTTY) && !flags.json;
  const lastLine = new Map<string, string>();
  for (;;) {
    if (redraw) ctx.stdout.write(`\x1b[H\x1b[2J${show(view)}`);
    else {
      // On a pipe, only what changed: a line per run whose state or progress moved (--json: the whole view).
      const changed = shown(view).filter((r) => lastLine.get(r.run_id) !== stateKey(r));
      for (const r of changed) lastLine.set(r.run_id, stateKey(r));
      if (flags.json && changed.length) ctx.stdout.write(show(view));
      else if (!flags.json) for (const r of changed) ctx.stdout.write(watchLine(r, new Date()));
    }
    const live = shown(view).filter(stillGoing);
    if (live.length === 0 || ctx.signal.aborted) break;
    await pause(intervalMs, ctx);
    if (ctx.signal.aborted) break;
    view = await look();
  }
  // Ctrl-C (or SIGTERM) ends the watch, not the run: 128 + SIGINT, as a shell reports an interrupted command.
  if (ctx.signal.aborted) return EXIT_INTERRUPTED;
  // A watched run that ended exits as its apply would; a stalled one as an aborted run.
  const [ended] = shown(view);
  if (!runId || !ended || ended.state === 'running') return EXIT.ok;
  return ended.state === 'stalled' ? EXIT.aborted : exitCodeOf(ended.state);
};

/** `--watch` stopped by SIGINT or SIGTERM before the run ended (apply's is its aborted report's, 3). */
const EXIT_INTERRUPTED = 130;

/**
 * A store that cannot be read (unreachable, no such bucket, access denied; a folder without access) is
 * the user's configuration to fix; the S3 settings are named only for a bucket.
 */
const unreadable = (src: RunsStore) => (err: unknown) => {
  if (err instanceof UserError) throw err;
  const s3 = src.location.startsWith('s3://');
  throw new UserError(`cannot read the runs in ${src.location}: ${(err as Error).name}: ${(err as Error).message}`, {
    ...(s3 && { hint: 'check S3_ENDPOINT, S3_FORCE_PATH_STYLE, AWS_REGION and the AWS credentials' }),
  });
};

const stateKey = (r: RunSummary) => `${r.state} ${r.progress?.done}/${r.progress?.total}`;

function hintOf(src: RunsStore): string {
  return src.statePrefix === undefined
    ? "runs lists the reports (and the command line's runs in progress) under a folder or s3://bucket/prefix; the function's bucket is s3://bucket"
    : 'a run in another bucket or report folder: give it after the run id';
}

function pause(ms: number, ctx: CliContext): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', done);
      resolve();
    }
    ctx.signal.addEventListener('abort', done, { once: true });
  });
}

export default runs;
