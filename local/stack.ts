/**
 * The embedded local stack: an S3-compatible server (s3rver) and the FDI emulator on loopback, with
 * the store's object-created events wired to the same handler the Lambda runs, as S3-shaped events
 * (or, with `platform: 'functiongraph'`, to the FunctionGraph handler as OBS trigger events).
 * s3rver puts raw keys in its events, so they are encoded as S3 does before the handler sees them.
 * Events are handled one at a time, like the deployed function's reserved concurrency of 1.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { startEmulator, type Emulator, type EmulatorOptions } from '../emulator/index.js';
import type { S3Event } from 'aws-lambda';
import { createFunctionGraphHandler } from '../handlers/functiongraph.js';
import { createHandler } from '../handlers/manifest-uploaded.js';
import type { Logger } from '../lib/logger.js';
import { buildTriggerDeps } from '../lib/trigger/deps.js';
import type { RecordOutcome } from '../lib/trigger/handle-event.js';
import { DEFAULT_BUCKET } from './defaults.js';
import { handlerEnv } from './handler-env.js';
import {
  asObsEvent,
  functionGraphContext,
  newTemporaryCredentials,
  type TemporaryCredentials,
} from './functiongraph.js';
import { InvocationQueue, type Invoke } from './invocation-queue.js';
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
  /**
   * Whose handler the bucket's events go to: 'aws' (default) S3 events to the Lambda handler;
   * 'functiongraph' OBS trigger events to the FunctionGraph handler, with a FunctionGraph context
   * carrying temporary credentials (no FDI_AUTH_TOKEN unless `env` gives one).
   */
  platform?: Platform;
  /** Whether the bucket's events reach the handler (default true); tests that deliver their own set false. */
  deliverStoreEvents?: boolean;
  /** FunctionGraph mode: the agency's temporary credentials (default: fresh random ones). */
  temporaryCredentials?: TemporaryCredentials;
  /** Told of each handler outcome as it comes (a finished run, a continuation, an ignored record …). */
  onOutcome?: (outcome: RecordOutcome) => void;
}

export type Platform = 'aws' | 'functiongraph';
export const PLATFORMS: readonly Platform[] = ['aws', 'functiongraph'];

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
  platform: Platform;
  /** FunctionGraph mode: the temporary credentials its context carries (for tests; never printed). */
  temporaryCredentials?: TemporaryCredentials | undefined;
  /** Queues an event of the platform's own form (S3 event, or any FunctionGraph event) for the handler. */
  deliver(event: unknown): void;
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
  const platform = options.platform ?? 'aws';
  const temporaryCredentials =
    platform === 'functiongraph' ? (options.temporaryCredentials ?? newTemporaryCredentials()) : undefined;
  const emulator = await startEmulator({
    instances: LOCAL_INSTANCES,
    stateFile: path.join(options.dataDir, 'emulator-state.json'),
    ...options.emulator,
    ...(temporaryCredentials && {
      temporaryCredentials: [
        ...(options.emulator?.temporaryCredentials ?? []),
        {
          ak: temporaryCredentials.accessKey,
          sk: temporaryCredentials.secretKey,
          securityToken: temporaryCredentials.securityToken,
        },
      ],
    }),
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
  let invoke: Invoke<unknown>;
  let toEvent: (event: S3Event) => unknown = (e) => e;
  if (temporaryCredentials) {
    const creds = temporaryCredentials;
    store.acceptKeyPair(creds.accessKey, creds.secretKey);
    // The agency's credentials sign FDI calls unless the caller configured others.
    if (options.env?.FDI_AUTH_TOKEN === undefined) delete env.FDI_AUTH_TOKEN;
    const handler = createFunctionGraphHandler(() => ({
      logger: options.logger,
      processEnv: env,
      deadline: options.deadline,
    }));
    invoke = (event, remaining) => handler(event, functionGraphContext(creds, remaining));
    toEvent = asObsEvent;
  } else {
    const handler = createHandler(() =>
      buildTriggerDeps(env, { logger: options.logger, s3, deadline: options.deadline }),
    );
    invoke = (event, remaining) => handler(event as S3Event, { getRemainingTimeInMillis: remaining });
  }
  const invocations = new InvocationQueue(
    invoke,
    options.invocationTimeoutMs ?? 15 * 60_000,
    options.logger,
    options.onOutcome,
  );
  if (options.deliverStoreEvents !== false) store.onEvent((event) => invocations.push(toEvent(event)));

  return {
    s3Endpoint: store.endpoint,
    fdiEndpoint: emulator.url,
    bucket,
    env,
    s3,
    emulator,
    outcomes: invocations.outcomes,
    platform,
    temporaryCredentials,
    deliver: (event) => invocations.push(event),
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
