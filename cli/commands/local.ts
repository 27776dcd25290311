/** `fdi-provision local`: run the embedded stack until SIGINT/SIGTERM. */
import path from 'node:path';
import { UserError } from '../../lib/errors.js';
import { finishedRunLine, objectUrl, reportHtmlKey } from '../../local/report-links.js';
import { LocalPortInUseError, startLocalStack, type LocalStack, type Platform } from '../../local/stack.js';
import { createLogger } from '../../lib/logger.js';
import type { CliContext, CommandAction } from '../context.js';
import { portInUse } from '../port-in-use.js';

interface LocalFlags {
  s3Port: string;
  emulatorPort: string;
  bucket: string;
  dataDir: string;
  platform: Platform;
}

function port(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new UserError(`${flag} must be a port number 0–65535 (got ${JSON.stringify(value)})`);
  return n;
}

/** The flag that sets each port of the stack. */
const PORT_FLAGS = {
  s3Port: '--s3-port',
  emulatorPort: '--emulator-port',
} as const satisfies Record<LocalPortInUseError['option'], string>;

const local: CommandAction<LocalFlags> = async (_args, flags, ctx: CliContext) => {
  const logger = createLogger({ level: ctx.env.LOG_LEVEL ?? 'info', pretty: Boolean(ctx.stderr.isTTY) });
  // Each finished run: one line on stdout with the loopback URL of its report.html (served by s3rver).
  const started: { stack?: LocalStack } = {};
  const stack = await startLocalStack({
    onOutcome: (o) => {
      const s = started.stack;
      if (o.kind !== 'finished' || !s) return;
      const url = objectUrl(s.s3Endpoint, s.bucket, reportHtmlKey(o.reportKey));
      ctx.stdout.write(`${finishedRunLine(o.report, url)}\n`);
    },
    s3Port: port(flags.s3Port, PORT_FLAGS.s3Port),
    emulatorPort: port(flags.emulatorPort, PORT_FLAGS.emulatorPort),
    bucket: flags.bucket,
    dataDir: path.resolve(flags.dataDir),
    logger,
    platform: flags.platform,
  }).catch((err: unknown) => {
    throw err instanceof LocalPortInUseError ? portInUse(err, PORT_FLAGS[err.option]) : err;
  });
  started.stack = stack;
  const { env } = stack;
  const functionGraph = stack.platform === 'functiongraph';
  ctx.stdout.write(
    [
      `S3-compatible server: ${stack.s3Endpoint} (credentials S3RVER/S3RVER, path-style)`,
      `FDI emulator:         ${stack.fdiEndpoint} (token local-token, project local-project, instances local-instance, local-instance-2)`,
      functionGraph
        ? 'handler:              FunctionGraph (handlers/functiongraph.handler): OBS trigger events, a FunctionGraph context with temporary AK/SK + security token (not shown)'
        : 'handler:              AWS Lambda (handlers/manifest-uploaded.handler): S3 events',
      `bucket:               ${stack.bucket}`,
      `manifests:            s3://${stack.bucket}/manifests/…/*.yaml  (an upload triggers a run)`,
      `reports:              s3://${stack.bucket}/reports/…  (each finished run prints a link to its report.html)`,
      `state:                s3://${stack.bucket}/state/…`,
      `data:                 ${path.resolve(flags.dataDir)}`,
      '',
      'Upload a manifest, e.g.:',
      `  AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER aws --endpoint-url ${env.S3_ENDPOINT} s3 cp manifests/examples/bulk-tables.yaml s3://${stack.bucket}/manifests/bulk-tables.yaml`,
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) resolve();
    ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await stack.close();
  return 0;
};

export default local;
