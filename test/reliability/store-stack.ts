/**
 * A stack whose store fails: s3rver behind the fault proxy (test/helpers/s3-fault-proxy.ts), the FDI
 * emulator, and the upload handler with its S3 client pointed at the proxy. Events are delivered by
 * the caller (as the platform would, again after a failed invocation), not by s3rver's notifications.
 * The test uploads and reads back through a direct client, which sees no faults.
 */
import path from 'node:path';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { createHandler, type ManifestHandler } from '../../handlers/manifest-uploaded.js';
import { createLogger, silentLogger, type Logger } from '../../lib/logger.js';
import type { Report } from '../../lib/report/types.js';
import { createS3Client, type S3Resilience } from '../../lib/storage/s3-store.js';
import type { RecordOutcome } from '../../lib/trigger/handle-event.js';
import { buildTriggerDeps } from '../../lib/trigger/deps.js';
import type { TriggerDeps } from '../../lib/trigger/run-upload.js';
import type { FinishedState } from '../../lib/trigger/state.js';
import { handlerEnv } from '../../local/handler-env.js';
import { startS3Server } from '../../local/s3-server.js';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { bulkManifest, tempDir } from '../helpers/cli.js';
import { bulkNames } from './process.js';
import { startS3FaultProxy, type S3FaultOptions, type S3FaultProxy } from '../helpers/s3-fault-proxy.js';
import { LAMBDA_CTX, s3Event } from '../helpers/stack.js';

export const BUCKET = 'fdi-faulty';

export interface FaultyStoreStack {
  proxy: S3FaultProxy;
  emulator: Emulator;
  /** A direct client to s3rver: no faults. */
  direct: S3Client;
  handler: ManifestHandler;
  upload(key: string, body: string): Promise<void>;
  text(key: string): Promise<string | undefined>;
  list(prefix: string): Promise<string[]>;
  /** One delivery of the upload event of `key`: its outcomes, or the error the handler threw. */
  deliver(key: string, sequencer: string): Promise<RecordOutcome[] | Error>;
  close(): Promise<void>;
}

export interface FaultyStoreOptions {
  faults?: S3FaultOptions;
  /** The handler's S3 client settings (defaults: the product's). */
  resilience?: Partial<S3Resilience>;
  /** The client as it was before "the store fails too": the SDK's defaults (3 attempts, a retry quota, no timeout). */
  sdkDefaults?: boolean;
  /** Pauses between tries of the writes that must land (default: the product's). */
  persistDelaysMs?: readonly number[];
  logger?: Logger;
  env?: Record<string, string>;
}

export async function startFaultyStoreStack(options: FaultyStoreOptions = {}): Promise<FaultyStoreStack> {
  const dir = await tempDir('fdi-store-faults-');
  const emulator = await startEmulator({
    instances: ['local-instance'],
    stateFile: path.join(dir, 'emulator-state.json'),
  });
  const s3 = await startS3Server({ directory: path.join(dir, 's3'), bucket: BUCKET, host: '127.0.0.1', port: 0 });
  const proxy = await startS3FaultProxy(s3.endpoint, options.faults);
  const env = handlerEnv(emulator.url, proxy.endpoint, { FDI_MAX_ATTEMPTS: '10', ...options.env });
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  const client = options.sdkDefaults
    ? new S3Client({
        region: 'us-east-1',
        endpoint: proxy.endpoint,
        forcePathStyle: true,
        credentials,
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      })
    : createS3Client(
        { endpoint: proxy.endpoint, forcePathStyle: true, region: 'us-east-1' },
        credentials,
        options.resilience,
      );
  const direct = s3.client();
  const deps = (): TriggerDeps => ({
    ...buildTriggerDeps(env, { logger: options.logger ?? testLogger(), s3: client }),
    persistDelaysMs: options.persistDelaysMs,
  });
  const handler = createHandler(deps);
  const text = async (key: string): Promise<string | undefined> => {
    const res = await direct.send(new GetObjectCommand({ Bucket: BUCKET, Key: key })).catch(() => undefined);
    return res?.Body ? res.Body.transformToString() : undefined;
  };
  return {
    proxy,
    emulator,
    direct,
    handler,
    async upload(key, body) {
      await direct.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    },
    text,
    async list(prefix) {
      const res = await direct.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
      return (res.Contents ?? []).map((o) => o.Key!).sort();
    },
    deliver: (key, sequencer) =>
      handler(s3Event(BUCKET, key, sequencer), LAMBDA_CTX).catch((err: unknown) => err as Error),
    async close() {
      client.destroy();
      direct.destroy();
      await proxy.close();
      await s3.close();
      await emulator.close();
    },
  };
}

/** What the bucket says of one upload's run, read without faults. */
export interface StoredRun {
  latest: Report | undefined;
  finished: FinishedState | undefined;
  /** Run folders under the manifest's report folder (each `<run-id>/`), with their files. */
  runs: Map<string, string[]>;
}

export async function storedRun(stack: FaultyStoreStack, manifestPath: string, uploadId: string): Promise<StoredRun> {
  const latestText = await stack.text(`reports/${manifestPath}/latest.json`);
  const finishedText = await stack.text(`state/${manifestPath}/${uploadId}/finished.json`);
  const runs = new Map<string, string[]>();
  for (const key of await stack.list(`reports/${manifestPath}/`)) {
    const rest = key.slice(`reports/${manifestPath}/`.length).split('/');
    if (rest.length < 2) continue;
    runs.set(rest[0], [...(runs.get(rest[0]) ?? []), rest[1]].sort());
  }
  return {
    latest: latestText === undefined ? undefined : (JSON.parse(latestText) as Report),
    finished: finishedText === undefined ? undefined : (JSON.parse(finishedText) as FinishedState),
    runs,
  };
}

/** Silent, unless STORE_FAULTS_LOG names a level (`STORE_FAULTS_LOG=warn npx vitest run …`). */
function testLogger(): Logger {
  const level = process.env.STORE_FAULTS_LOG;
  return level ? createLogger({ level }) : silentLogger();
}

/** What a batch of runs through a faulty store came to (docs/RELIABILITY.md, "The store fails too"). */
export interface StoreSoakResult {
  runs: number;
  tasks: number;
  /** Runs finished by the first delivery of their event. */
  firstTime: number;
  /** Runs finished by a later delivery (the platform's retry of a failed invocation). */
  afterRedelivery: number;
  /** Runs not finished after `maxDeliveries`. */
  unfinished: number;
  /** For each unfinished run, what its deliveries came to (an error's message or the outcome kinds). */
  unfinishedWhy: string[];
  /** Requests the handler's client sent to the store, and the faults among them. */
  requests: number;
  faults: number;
  /** Names FDI committed more than once. */
  duplicates: number;
  /** Names of the finished runs' manifests that FDI does not hold. */
  missingTasks: number;
  /** Finished runs without one complete report (its files, latest.json and finished.json naming it). */
  missingReports: number;
  /** Runs whose latest.json or finished.json said succeeded before (or without) the report being stored. */
  successWithoutReport: number;
  ms: number;
}

const REPORT_FILES = ['report.json', 'summary.md', 'tasks.csv'];

/**
 * `runs` manifests of `tasks` tasks each, uploaded and delivered at once (each delivered again, up to
 * `maxDeliveries`, while its invocation fails), then everything checked from the bucket and FDI.
 */
export async function soakStore(
  stack: FaultyStoreStack,
  options: {
    runs: number;
    tasks: number;
    tag: string;
    maxDeliveries?: number;
    /** False: the manifests are already uploaded (a later delivery of the same events). */
    upload?: boolean;
  },
): Promise<StoreSoakResult> {
  const started = Date.now();
  const before = { requests: stack.proxy.totalRequests(), faults: stack.proxy.totalFaults() };
  const max = options.maxDeliveries ?? 3;
  const names: string[][] = [];
  let successWithoutReport = 0;
  const unfinishedWhy: string[] = [];
  const one = async (i: number): Promise<number> => {
    const prefix = `${options.tag}-${i}`;
    names[i] = bulkNames(options.tasks, prefix);
    if (options.upload !== false)
      await stack.upload(`manifests/${prefix}.yaml`, bulkManifest(options.tasks, { prefix }));
    const seq = sequencerOf(options.tag, i);
    const why: string[] = [];
    for (let d = 1; d <= max; d++) {
      const out = await stack.deliver(`manifests/${prefix}.yaml`, seq);
      if (!(out instanceof Error) && out.some((o) => o.kind === 'finished')) return d;
      why.push(out instanceof Error ? out.message : out.map((o) => o.kind).join('+'));
      // A failed delivery must leave nothing that says the run succeeded without its report.
      const stored = await storedRun(stack, prefix, `s-${seq}`);
      if (stored.finished?.status === 'succeeded' && !(await complete(stack, prefix, stored.finished.run_id)))
        successWithoutReport += 1;
      if (stored.latest && !(await complete(stack, prefix, stored.latest.run_id))) successWithoutReport += 1;
    }
    unfinishedWhy.push(`${prefix}: ${why.join(' | ')}`);
    return 0;
  };
  const finishedAt = await Promise.all(Array.from({ length: options.runs }, (_, i) => one(i)));

  let missingReports = 0;
  for (let i = 0; i < options.runs; i++) {
    if (!finishedAt[i]) continue;
    const prefix = `${options.tag}-${i}`;
    const seq = sequencerOf(options.tag, i);
    const stored = await storedRun(stack, prefix, `s-${seq}`);
    const whole =
      stored.runs.size === 1 &&
      stored.latest?.status === 'succeeded' &&
      stored.finished?.run_id === stored.latest.run_id &&
      stored.latest.counts.total === options.tasks &&
      (await complete(stack, prefix, stored.latest.run_id));
    if (!whole) missingReports += 1;
  }
  const committed = stack.emulator.stats().createsCommitted;
  return {
    runs: options.runs,
    tasks: options.runs * options.tasks,
    firstTime: finishedAt.filter((d) => d === 1).length,
    afterRedelivery: finishedAt.filter((d) => d > 1).length,
    unfinished: finishedAt.filter((d) => d === 0).length,
    unfinishedWhy,
    requests: stack.proxy.totalRequests() - before.requests,
    faults: stack.proxy.totalFaults() - before.faults,
    duplicates: names.flat().filter((n) => (committed[n] ?? 0) > 1).length,
    missingTasks: names
      .filter((_, i) => finishedAt[i])
      .flat()
      .filter((n) => !committed[n]).length,
    missingReports,
    successWithoutReport,
    ms: Date.now() - started,
  };
}

/** The sequencer of the upload event of run `i` of a soak tagged `tag` (its upload id is `s-<sequencer>`). */
export const sequencerOf = (tag: string, i: number): string =>
  `${String(i).padStart(6, '0')}${tag.replace(/[^A-Za-z0-9]/g, '')}`;

/** The run's folder holds every report file. */
async function complete(stack: FaultyStoreStack, path: string, runId: string): Promise<boolean> {
  const keys = await stack.list(`reports/${path}/${runId}/`);
  return REPORT_FILES.every((f) => keys.includes(`reports/${path}/${runId}/${f}`));
}
