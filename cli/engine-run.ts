/**
 * What `plan` and `apply` share: configuration from the environment and flags, the logger, and the
 * orchestrator's inputs for a manifest given on the command line. Secrets are scrubbed from anything
 * printed.
 */
import os from 'node:os';
import { configSecrets, loadConfig, type Config } from '../lib/config.js';
import { formatLocation } from '../lib/errors.js';
import { connectFdi } from '../lib/fdi/client/connect.js';
import { createLogger } from '../lib/logger.js';
import { operatorNotifier } from '../lib/notify/index.js';
import type { ManifestError } from '../lib/report/types.js';
import type { RequestedBy } from '../lib/report/types.js';
import type { Operation } from '../lib/report/types.js';
import { CLI_BEAT_MS, liveRunFor, observedBy } from '../lib/runs/live-record.js';
import type { Provenance, RunDeps, RunObserver } from '../lib/run-types.js';
import { scrub } from '../lib/secret.js';
import { appliedStoreAt, DEFAULT_LOCAL_STATE } from '../lib/storage/applied-store.js';
import { manifestReader } from '../lib/storage/manifest-reader.js';
import { parseS3Uri } from '../lib/storage/object-store.js';
import { policyLoader } from '../lib/storage/policy-store.js';
import { storeAt } from '../lib/storage/store-at.js';
import type { CliContext, CommonFlags } from './context.js';

export interface EngineSetup {
  config: Config;
  /** The orchestrator's inputs. */
  deps: RunDeps;
  /** Who runs it: the local user and host. */
  provenance: Provenance;
  /** Removes every configured secret from a text before it is printed. */
  clean: (text: string) => string;
}

export function setUpEngine(manifestUri: string, flags: CommonFlags, ctx: CliContext): EngineSetup {
  const config = loadConfig(ctx.env, flags);
  const secrets = configSecrets(config);
  const requestedBy = localUser();
  const pretty = Boolean(ctx.stderr.isTTY) && ctx.env.LOG_FORMAT !== 'json';
  const base = createLogger({
    level: flags.quiet ? 'error' : (ctx.env.LOG_LEVEL ?? (ctx.stderr.isTTY ? 'warn' : 'info')),
    pretty,
  });
  // JSON logs (kept, shipped) name who ran the command; a terminal's reader knows.
  const logger = pretty ? base : base.child({ requested_by: requestedBy });
  // An s3:// manifest's records default to its bucket's state prefix, where the function keeps them.
  const s3uri = parseS3Uri(manifestUri);
  const bucket = s3uri?.bucket;
  const state =
    flags.state ??
    (ctx.env.FDI_STATE?.trim() || (bucket ? `s3://${bucket}/${config.prefixes.state}` : DEFAULT_LOCAL_STATE));
  const deps: RunDeps = {
    reader: manifestReader(manifestUri, config.s3),
    fdi: connectFdi,
    logger,
    applied: appliedStoreAt(state, config),
    notify: operatorNotifier(config.notify, logger),
  };
  // A manifest in a bucket is held to the operator's policy, as the function would hold it (docs/SECURITY.md).
  const load = policyLoader(config.policy, bucket, async (b) => (await storeAt(`s3://${b}/`, config.s3)).store);
  if (load && s3uri) deps.policy = { key: s3uri.key, load };
  else if (bucket && !flags.quiet) ctx.stderr.write(NO_POLICY_WARNING);
  return { config, deps, provenance: { requestedBy }, clean: (t) => scrub(t, secrets) };
}

const NO_POLICY_WARNING =
  'warning: no operator policy is set (FDI_POLICY or FDI_POLICY_OBJECT), so this manifest may target any ' +
  'project and instance and overwrite tasks; the function serving the bucket may refuse what this run allows ' +
  '(docs/SECURITY.md)\n';

/**
 * Runs `run` (an apply or a destroy) with a live record of it beside its report folder, so that
 * `fdi-provision runs` sees it while it goes and a killed one as stalled (lib/runs/live-record.ts).
 */
export async function withLiveRecord<T>(
  engine: EngineSetup,
  where: { reportFlag: string | undefined; manifestUri: string; operation: Operation },
  observer: RunObserver,
  run: (observer: RunObserver, deps: RunDeps) => Promise<T>,
): Promise<T> {
  const live = await liveRunFor(where.reportFlag, engine.config, {
    manifest: where.manifestUri,
    operation: where.operation,
    requestedBy: engine.provenance.requestedBy,
    everyMs: engine.config.liveness?.heartbeatMs ?? CLI_BEAT_MS,
    log: engine.deps.logger,
  });
  try {
    return await run(observedBy(observer, live), engine.deps);
  } finally {
    await live.end();
  }
}

/** The command line's user and host, as the machine names them (what it says, not proof). */
function localUser(): RequestedBy {
  let user: string | undefined;
  try {
    user = os.userInfo().username;
  } catch {
    user = process.env.USER ?? process.env.USERNAME;
  }
  return { via: 'cli', user: user || undefined, host: os.hostname() || undefined };
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
