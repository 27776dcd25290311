/**
 * What `plan` and `apply` share: configuration from env + flags, the logger, the manifest source,
 * and the call of the orchestrator. Secrets are scrubbed from anything printed.
 */
import { configSecrets, loadConfig, type Config } from '../lib/config.js';
import { createLogger, type Logger } from '../lib/logger.js';
import { readManifest } from '../lib/storage/read-manifest.js';
import type { ManifestSource } from '../lib/manifest/index.js';
import { scrub } from '../lib/secret.js';
import type { CliContext, CommonFlags } from './context.js';

export interface EngineSetup {
  config: Config;
  logger: Logger;
  source: ManifestSource;
  /** Removes every configured secret from a text before it is printed. */
  clean: (text: string) => string;
}

export async function setUpEngine(manifestUri: string, flags: CommonFlags, ctx: CliContext): Promise<EngineSetup> {
  const config = loadConfig(ctx.env, flags);
  const secrets = configSecrets(config);
  const logger = createLogger({
    level: flags.quiet ? 'error' : (ctx.env.LOG_LEVEL ?? (ctx.stderr.isTTY ? 'warn' : 'info')),
    pretty: Boolean(ctx.stderr.isTTY) && ctx.env.LOG_FORMAT !== 'json',
  });
  const source = await readManifest(manifestUri, config.s3);
  return { config, logger, source, clean: (t) => scrub(t, secrets) };
}
