/**
 * The Lambda handler: S3 event → one run per manifest record. Thin: dependencies are built once per
 * cold start; the work is in lib/trigger. Throws (so Lambda retries the event) only when a record
 * failed for an infrastructure reason; a duplicate delivery is then a no-op thanks to the run lock.
 * The embedded local stack calls the same handler, built with its own dependencies.
 */
import type { Context, S3Event } from 'aws-lambda';
import { handleS3Event, type RecordOutcome } from '../lib/trigger/handle-event.js';
import { buildTriggerDeps } from '../lib/trigger/deps.js';
import type { TriggerDeps } from '../lib/trigger/run-upload.js';
import { tuneHeapForBatch } from '../lib/tune-heap.js';

tuneHeapForBatch();

export type ManifestHandler = (
  event: S3Event,
  context: Pick<Context, 'getRemainingTimeInMillis'>,
) => Promise<RecordOutcome[]>;

/** Builds a handler whose dependencies are made on first use and then kept (one cold start). */
export function createHandler(makeDeps: () => TriggerDeps): ManifestHandler {
  let deps: TriggerDeps | undefined;
  return async (event, context) => {
    deps ??= makeDeps();
    const outcomes = await handleS3Event(event, deps, { remainingMs: () => context.getRemainingTimeInMillis() });
    const failed = outcomes.filter((o) => o.kind === 'error');
    if (failed.length) throw new Error(`${failed.length} record(s) failed: ${failed.map((f) => f.key).join(', ')}`);
    return outcomes;
  };
}

/** The deployed entry point (serverless.yml: handlers/manifest-uploaded.handler). */
export const handler: ManifestHandler = createHandler(() => buildTriggerDeps(process.env));
