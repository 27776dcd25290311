/**
 * The embedded local stack: an S3-compatible server (s3rver) and the FDI emulator on loopback, with
 * the store's object-created events wired to the same handler the Lambda runs, as S3-shaped events.
 * s3rver puts raw keys in its events, so they are encoded as S3 does before the handler sees them.
 * Events are handled one at a time, like the deployed function's reserved concurrency of 1.
 */
import type { EventEmitter } from 'node:events';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import S3rver from 's3rver';
import { startEmulator, type Emulator, type EmulatorOptions } from '../emulator/index.js';
import { createHandler } from '../handlers/manifest-uploaded.js';
import type { Logger } from '../lib/logger.js';
import { createS3Client } from '../lib/storage/s3-store.js';
import { buildTriggerDeps } from '../lib/trigger/deps.js';
import type { RecordOutcome } from '../lib/trigger/handle-event.js';
import { encodeS3Key } from '../lib/trigger/s3-event.js';

export interface LocalStackOptions {
  s3Port?: number;
  emulatorPort?: number;
  bucket?: string;
  dataDir: string;
  logger: Logger;
  /** Emulator settings beyond the defaults (faults, quotas …). */
  emulator?: EmulatorOptions;
  /** Environment the handler is configured with, on top of the stack's own endpoints. */
  env?: Record<string, string | undefined>;
  /** The invocation budget each event gets, like a Lambda timeout. Default 15 minutes. */
  invocationTimeoutMs?: number;
  /** Deadline margins of the trigger (tests force continuations with small budgets). */
  deadline?: { softMarginMs: number; hardMarginMs: number };
}

export interface LocalStack {
  s3Endpoint: string;
  fdiEndpoint: string;
  bucket: string;
  /** The environment the handler runs with (no secrets beyond the local token). */
  env: Record<string, string>;
  s3: S3Client;
  emulator: Emulator;
  /** Every handler outcome so far, in order. */
  outcomes: RecordOutcome[];
  /** Resolves when every event received so far has been handled. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** The instances the local emulator has: the examples spread tasks over two. */
export const LOCAL_INSTANCES = ['local-instance', 'local-instance-2'];

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const bucket = options.bucket ?? 'fdi-provisioner';
  const s3Dir = path.join(options.dataDir, 's3');
  await mkdir(s3Dir, { recursive: true });
  const emulator = await startEmulator({
    port: options.emulatorPort ?? 0,
    instances: LOCAL_INSTANCES,
    stateFile: path.join(options.dataDir, 'emulator-state.json'),
    ...options.emulator,
  });
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.s3Port ?? 0,
    silent: true,
    directory: s3Dir,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  let address: { address: string; port: number };
  try {
    address = (await server.run()) as unknown as { address: string; port: number };
  } catch (err) {
    await emulator.close();
    throw err;
  }
  const s3Endpoint = `http://${address.address}:${address.port}`;
  const env: Record<string, string> = {
    FDI_ENDPOINT: emulator.url,
    FDI_AUTH_TOKEN: 'local-token',
    FDI_PROJECT_ID: 'local-project',
    FDI_INSTANCE_ID: 'local-instance',
    S3_ENDPOINT: s3Endpoint,
    S3_FORCE_PATH_STYLE: 'true',
    AWS_REGION: 'us-east-1',
    ...(Object.fromEntries(Object.entries(options.env ?? {}).filter(([, v]) => v !== undefined)) as Record<
      string,
      string
    >),
  };
  const s3 = createS3Client(
    { endpoint: s3Endpoint, forcePathStyle: true, region: 'us-east-1' },
    { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  );
  const handler = createHandler(() =>
    buildTriggerDeps(env, { logger: options.logger, s3, deadline: options.deadline }),
  );
  const outcomes: RecordOutcome[] = [];
  let queue: Promise<void> = Promise.resolve();
  const budget = options.invocationTimeoutMs ?? 15 * 60_000;

  (server as unknown as EventEmitter).on('event', (raw: S3Event) => {
    const event: S3Event = {
      Records: raw.Records.map((r) => ({
        ...r,
        s3: { ...r.s3, object: { ...r.s3.object, key: encodeS3Key(r.s3.object.key) } },
      })),
    };
    queue = queue.then(async () => {
      const started = Date.now();
      try {
        outcomes.push(...(await handler(event, { getRemainingTimeInMillis: () => budget - (Date.now() - started) })));
      } catch (err) {
        options.logger.error({ err: (err as Error).message }, 'handler failed');
      }
    });
  });

  return {
    s3Endpoint,
    fdiEndpoint: emulator.url,
    bucket,
    env,
    s3,
    emulator,
    outcomes,
    async idle() {
      // Handling an event may write objects that raise new events (continuations): wait until quiet.
      for (;;) {
        const q = queue;
        await q;
        await new Promise((r) => setTimeout(r, 50));
        if (q === queue) return;
      }
    },
    async close() {
      await queue;
      s3.destroy();
      await server.close();
      await emulator.close();
    },
  };
}
