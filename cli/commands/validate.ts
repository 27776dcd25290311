/** `fdi-provision validate <manifest>`: parse, expand and check every rule; list every problem. No network. */
import { EXIT } from '../../lib/errors.js';
import { compileSource, formatProblem } from '../../lib/manifest/index.js';
import { loadS3Config } from '../../lib/config.js';
import { readManifest } from '../../lib/storage/manifest-reader.js';
import type { CommandAction } from '../context.js';

interface ValidateFlags {
  json?: boolean;
  quiet?: boolean;
}

const run: CommandAction<ValidateFlags> = async ([uri], flags, ctx) => {
  const { manifest, problems } = compileSource(await readManifest(uri, loadS3Config(ctx.env)));
  const instances = manifest?.targets.length ?? 0;
  if (flags.json) {
    ctx.stdout.write(
      `${JSON.stringify({ ok: manifest !== undefined, file: uri, tasks: manifest?.taskCount ?? 0, instances, problems })}\n`,
    );
    return manifest ? EXIT.ok : EXIT.rejected;
  }
  if (!manifest) {
    for (const p of problems) ctx.stderr.write(`${formatProblem(p)}\n`);
    ctx.stderr.write(`${uri}: ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing would be sent\n`);
    return EXIT.rejected;
  }
  if (!flags.quiet) {
    const n = manifest.taskCount;
    ctx.stdout.write(
      `ok: ${n} task${n === 1 ? '' : 's'} in ${instances} instance${instances === 1 ? '' : 's'} (${uri})\n`,
    );
  }
  return EXIT.ok;
};
export default run;
