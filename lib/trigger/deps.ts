/** The dependencies of the upload trigger, built once per cold start (or once per local stack). */
import type { S3Client } from '@aws-sdk/client-s3';
import { loadConfig } from '../config.js';
import { connectFdi } from '../fdi/client/connect.js';
import { createLogger, type Logger } from '../logger.js';
import { createS3Client, s3Store } from '../storage/s3-store.js';
import type { TriggerDeps } from './run-upload.js';

export function buildTriggerDeps(
  env: Record<string, string | undefined>,
  options: { logger?: Logger; s3?: S3Client; deadline?: TriggerDeps['deadline'] } = {},
): TriggerDeps {
  const config = loadConfig(env);
  const s3 = options.s3 ?? createS3Client(config.s3);
  const logger = options.logger ?? createLogger({ level: env.LOG_LEVEL ?? 'info' });
  return {
    config,
    logger,
    storeFor: (bucket) => s3Store(s3, bucket, { probePrefix: config.prefixes.state }),
    fdi: connectFdi,
    deadline: options.deadline,
    liveness: config.liveness,
  };
}
