/**
 * The last line of defence: turns an error that escaped a command into a message and an exit code.
 * User errors get a located message and no stack trace; only unexpected errors show a stack, and only
 * with FDI_DEBUG=1.
 */
import { EXIT, UserError, formatLocation } from '../lib/errors.js';
import type { CliContext } from './context.js';

export function reportFatal(err: unknown, ctx: CliContext): number {
  if (err instanceof UserError) {
    const where = err.location ? `${formatLocation(err.location)}: ` : '';
    ctx.stderr.write(`error: ${where}${err.message}\n${err.hint ? `  hint: ${err.hint}\n` : ''}`);
    return EXIT.rejected;
  }
  const message = err instanceof Error ? err.message : String(err);
  ctx.stderr.write(`internal error: ${message}\n`);
  if (ctx.env.FDI_DEBUG === '1' && err instanceof Error && err.stack) ctx.stderr.write(`${err.stack}\n`);
  return EXIT.someFailed;
}
