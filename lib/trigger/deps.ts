/** The dependencies of the upload trigger, built once per cold start (or once per local stack). */
import type { S3Client } from '@aws-sdk/client-s3';
import { loadConfig, type Config } from '../config.js';
import { connectFdi, type FdiConnector } from '../fdi/client/connect.js';
import { createLogger, type Logger } from '../logger.js';
import { createS3Client, s3Store } from '../storage/s3-store.js';
import type { TriggerDeps } from './run-upload.js';

export function buildTriggerDeps(
  env: Record<string, string | undefined>,
  options: { logger?: Logger; s3?: S3Client; deadline?: TriggerDeps['deadline'] } = {},
): TriggerDeps {
  const config = loadConfig(env);
  return triggerDeps(config, options.s3 ?? createS3Client(config.s3), {
    logger: options.logger ?? createLogger({ level: env.LOG_LEVEL ?? 'info' }),
    deadline: options.deadline,
  });
}

/** The trigger's dependencies from a configuration and the store's client (Lambda and FunctionGraph alike). */
export function triggerDeps(
  config: Config,
  s3: S3Client,
  options: {
    logger: Logger;
    fdi?: FdiConnector | undefined;
    deadline?: TriggerDeps['deadline'];
    liveness?: TriggerDeps['liveness'];
  },
): TriggerDeps {
  return {
    config,
    logger: options.logger,
    storeFor: (bucket) => s3Store(s3, bucket, { probePrefix: config.prefixes.state }),
    fdi: options.fdi ?? connectFdi,
    deadline: options.deadline,
    liveness: options.liveness ?? config.liveness,
  };
}
