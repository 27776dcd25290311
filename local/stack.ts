/**
 * The embedded local stack: an S3-compatible server (s3rver) and the FDI emulator on loopback, with
 * the store's object-created events wired to the same handler the Lambda runs, as S3-shaped events.
 * s3rver puts raw keys in its events, so they are encoded as S3 does before the handler sees them.
 * Events are handled one at a time, like the deployed function's reserved concurrency of 1.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { startEmulator, type Emulator, type EmulatorOptions } from '../emulator/index.js';
import { createHandler } from '../handlers/manifest-uploaded.js';
import type { Logger } from '../lib/logger.js';
import { buildTriggerDeps } from '../lib/trigger/deps.js';
import type { RecordOutcome } from '../lib/trigger/handle-event.js';
import { DEFAULT_BUCKET } from './defaults.js';
import { handlerEnv } from './handler-env.js';
import { InvocationQueue } from './invocation-queue.js';
import { type LocalS3Server, startS3Server } from './s3-server.js';

/** Where the stack listens and keeps its files, and how the handler is configured. */
export interface LocalStackOptions {
  s3Port?: number;
  emulatorPort?: number;
  bucket?: string;
  dataDir: string;
  logger: Logger;
  /** Emulator settings beyond the defaults (faults, quotas …); where it listens is the stack's. */
  emulator?: Omit<EmulatorOptions, 'host' | 'port'>;
  /** Environment the handler is configured with, on top of the stack's own endpoints. */
  env?: Record<string, string | undefined>;
  /** The invocation budget each event gets, like a Lambda timeout. Default 15 minutes. */
  invocationTimeoutMs?: number;
  /** Deadline margins of the trigger (tests force continuations with small budgets). */
  deadline?: { softMarginMs: number; hardMarginMs: number };
}

/** A running local stack. */
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

/**
 * A port the stack was given is held by another program: `option` names the one to change, `cause`
 * is the listen error.
 */
export class LocalPortInUseError extends Error {
  constructor(
    readonly option: 's3Port' | 'emulatorPort',
    readonly port: number,
    readonly host: string,
    options: { cause: unknown },
  ) {
    super(`port ${port} on ${host} (${option}) is already in use`, options);
    this.name = 'LocalPortInUseError';
  }
}

/** The instances the local emulator has: the examples spread tasks over two. */
const LOCAL_INSTANCES = ['local-instance', 'local-instance-2'];

/** Where both servers listen. */
const LOOPBACK = '127.0.0.1';

/** Starts the emulator and s3rver on loopback and feeds the bucket's events to the handler, one at a time. */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const bucket = options.bucket ?? DEFAULT_BUCKET;
  const s3Dir = path.join(options.dataDir, 's3');
  await mkdir(s3Dir, { recursive: true });
  const emulatorPort = options.emulatorPort ?? 0;
  const emulator = await startEmulator({
    instances: LOCAL_INSTANCES,
    stateFile: path.join(options.dataDir, 'emulator-state.json'),
    ...options.emulator,
    host: LOOPBACK,
    port: emulatorPort,
  }).catch((err: unknown) => {
    throw portInUse(err, 'emulatorPort', emulatorPort);
  });
  const s3Port = options.s3Port ?? 0;
  let store: LocalS3Server;
  try {
    store = await startS3Server({ directory: s3Dir, bucket, host: LOOPBACK, port: s3Port });
  } catch (err) {
    await emulator.close();
    throw portInUse(err, 's3Port', s3Port);
  }
  const env = handlerEnv(emulator.url, store.endpoint, options.env);
  const s3 = store.client();
  const handler = createHandler(() =>
    buildTriggerDeps(env, { logger: options.logger, s3, deadline: options.deadline }),
  );
  const invocations = new InvocationQueue(handler, options.invocationTimeoutMs ?? 15 * 60_000, options.logger);
  store.onEvent((event) => invocations.push(event));

  return {
    s3Endpoint: store.endpoint,
    fdiEndpoint: emulator.url,
    bucket,
    env,
    s3,
    emulator,
    outcomes: invocations.outcomes,
    idle: () => invocations.idle(),
    async close() {
      await invocations.drained();
      s3.destroy();
      await store.close();
      await emulator.close();
    },
  };
}

/** A listen error as LocalPortInUseError when the port is taken; any other error as it is. */
function portInUse(err: unknown, option: LocalPortInUseError['option'], port: number): unknown {
  if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') return err;
  return new LocalPortInUseError(option, port, LOOPBACK, { cause: err });
}
