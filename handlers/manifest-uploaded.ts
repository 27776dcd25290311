/**
 * The Lambda handler: S3 event → one run per manifest record. Thin: dependencies are built once per
 * cold start (with the FDI secrets read from SSM Parameter Store when the environment names them by
 * `<NAME>_PARAM`); the work is in lib/trigger. Throws (so Lambda retries the event) only when a record
 * failed for an infrastructure reason; a duplicate delivery is then a no-op thanks to the run lock.
 * The embedded local stack calls the same handler, built with its own dependencies.
 *
 * Loading this module loads none of lib/trigger, the AWS SDK, pino or got (issue 16, "Start fast"):
 * the pipeline is imported on the first invocation, together with building the dependencies, and kept
 * for the warm ones. In the esbuild bundle it is the same file, evaluated only then.
 */
import type { Context, S3Event } from 'aws-lambda';
import type * as HandleEventModule from '../lib/trigger/handle-event.js';
import type { RecordOutcome } from '../lib/trigger/handle-event.js';
import type { SsmLike } from '../lib/trigger/aws-secrets.js';
import type { buildTriggerDeps } from '../lib/trigger/deps.js';
import type { TriggerDeps } from '../lib/trigger/run-upload.js';
import { tuneHeapForBatch } from '../lib/tune-heap.js';
import { kept, unlessFailed } from './kept.js';

tuneHeapForBatch();

export type ManifestHandler = (
  event: S3Event,
  context: Pick<Context, 'getRemainingTimeInMillis'>,
) => Promise<RecordOutcome[]>;

/** lib/trigger/handle-event.js (and all it imports), imported once, on the first invocation. */
const loadPipeline = kept((): Promise<typeof HandleEventModule> => import('../lib/trigger/handle-event.js'));

/**
 * Builds a handler whose dependencies are made on first use and then kept (one cold start). When
 * making them fails (a missing SSM parameter, say), the invocation fails and the next one tries again.
 */
export function createHandler(makeDeps: () => TriggerDeps | Promise<TriggerDeps>): ManifestHandler {
  const deps = kept(makeDeps);
  return async (event, context) => {
    const ready = await deps();
    const { handleS3Event } = await loadPipeline();
    return unlessFailed(await handleS3Event(event, ready, { remainingMs: () => context.getRemainingTimeInMillis() }));
  };
}

/**
 * The deployed dependencies: the FDI secrets named by `<NAME>_PARAM` are read from Parameter Store into
 * a copy of the environment (process.env never holds them), then the trigger's dependencies are built.
 */
export async function deployedDeps(
  env: Record<string, string | undefined>,
  options: { ssm?: SsmLike } & Parameters<typeof buildTriggerDeps>[1] = {},
): Promise<TriggerDeps> {
  const { ssm, ...rest } = options;
  const [secrets, deps] = await Promise.all([
    import('../lib/trigger/aws-secrets.js'),
    import('../lib/trigger/deps.js'),
  ]);
  return deps.buildTriggerDeps(await secrets.resolveSecretParams(env, ssm ? { ssm } : {}), rest);
}

/** The deployed entry point (serverless.yml: handlers/manifest-uploaded.handler). */
export const handler: ManifestHandler = createHandler(() => deployedDeps(process.env));
