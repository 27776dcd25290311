/**
 * `fdi-provision render <manifest>`: one JSON line per task, exactly the create-request body. Data
 * sources given by name are not resolved here (no network): their ID shows as `<name:NAME>`.
 */
import { once } from 'node:events';
import { EXIT } from '../../lib/errors.js';
import { formatProblem, compileSource, toCreateRequest, unresolvedId } from '../../lib/manifest/index.js';
import { loadS3Config } from '../../lib/config.js';
import { readManifest } from '../../lib/storage/manifest-reader.js';
import type { CliContext, CommandAction } from '../context.js';

interface RenderFlags {
  withTarget?: boolean;
  quiet?: boolean;
}

const run: CommandAction<RenderFlags> = async ([uri], flags, ctx) => {
  const { manifest, problems } = compileSource(await readManifest(uri, loadS3Config(ctx.env)));
  if (!manifest) {
    for (const p of problems) ctx.stderr.write(`${formatProblem(p)}\n`);
    ctx.stderr.write(`${uri}: ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing rendered\n`);
    return EXIT.rejected;
  }
  const byName = new Map<string, number>();
  // A reader that stops early (`| head`) closes the pipe: stop rendering, it is not an error.
  let closed = false;
  ctx.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    closed = true;
  });
  for (const task of manifest.tasks()) {
    if (ctx.signal.aborted) return EXIT.aborted;
    if (closed) return EXIT.ok;
    for (const ref of [task.source, task.target_ds])
      if ('name' in ref) byName.set(ref.name, (byName.get(ref.name) ?? 0) + 1);
    const body = toCreateRequest(task, { source: unresolvedId(task.source), target: unresolvedId(task.target_ds) });
    const line = flags.withTarget
      ? {
          ...body,
          _meta: {
            index: task.index,
            line: task.line,
            target: task.target,
            ...(task.schedule && { schedule: task.schedule }),
            start: task.start,
          },
        }
      : body;
    await writeLine(ctx, JSON.stringify(line));
  }
  if (byName.size && !flags.quiet) {
    const list = [...byName].map(([name, n]) => `${name} (${n})`).join(', ');
    ctx.stderr.write(
      `note: data sources given by name are resolved by plan/apply, not by render; shown as "<name:…>": ${list}\n`,
    );
  }
  return EXIT.ok;
};

/** Writes one line, waiting when the reader is slower than we are. */
async function writeLine(ctx: CliContext, line: string): Promise<void> {
  // `once` rejects when the stream fails while we wait; the 'error' listener above has already noted it.
  if (!ctx.stdout.write(`${line}\n`)) await once(ctx.stdout, 'drain').catch(() => undefined);
}
export default run;
