/**
 * What `plan` and `apply` share: configuration from the environment and flags, the logger, and the
 * orchestrator's inputs for a manifest given on the command line. Secrets are scrubbed from anything
 * printed.
 */
import { configSecrets, loadConfig, type Config } from '../lib/config.js';
import { formatLocation } from '../lib/errors.js';
import { connectFdi } from '../lib/fdi/client/connect.js';
import { createLogger } from '../lib/logger.js';
import type { ManifestError } from '../lib/report/types.js';
import type { RunDeps } from '../lib/run-types.js';
import { scrub } from '../lib/secret.js';
import { appliedStoreAt, DEFAULT_LOCAL_STATE } from '../lib/storage/applied-store.js';
import { manifestReader } from '../lib/storage/manifest-reader.js';
import { parseS3Uri } from '../lib/storage/object-store.js';
import type { CliContext, CommonFlags } from './context.js';

export interface EngineSetup {
  config: Config;
  /** The orchestrator's inputs. */
  deps: RunDeps;
  /** Removes every configured secret from a text before it is printed. */
  clean: (text: string) => string;
}

export function setUpEngine(manifestUri: string, flags: CommonFlags, ctx: CliContext): EngineSetup {
  const config = loadConfig(ctx.env, flags);
  const secrets = configSecrets(config);
  const logger = createLogger({
    level: flags.quiet ? 'error' : (ctx.env.LOG_LEVEL ?? (ctx.stderr.isTTY ? 'warn' : 'info')),
    pretty: Boolean(ctx.stderr.isTTY) && ctx.env.LOG_FORMAT !== 'json',
  });
  // An s3:// manifest's records default to its bucket's state prefix, where the function keeps them.
  const bucket = parseS3Uri(manifestUri)?.bucket;
  const state =
    flags.state ??
    (ctx.env.FDI_STATE?.trim() || (bucket ? `s3://${bucket}/${config.prefixes.state}` : DEFAULT_LOCAL_STATE));
  const deps: RunDeps = {
    reader: manifestReader(manifestUri, config.s3),
    fdi: connectFdi,
    logger,
    applied: appliedStoreAt(state, config),
  };
  return { config, deps, clean: (t) => scrub(t, secrets) };
}

/** A report's manifest errors, one located line each, and its hint under it. */
export function errorLines(errors: readonly ManifestError[], manifestUri: string): string {
  return errors
    .map((e) => {
      const line = `  ${formatLocation({ ...e, file: e.file ?? manifestUri })}: ${e.message}\n`;
      return e.hint ? `${line}    hint: ${e.hint}\n` : line;
    })
    .join('');
}
