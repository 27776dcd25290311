/** An S3 event → the runs it asks for, one record at a time (several records per event). */
import type { S3Event } from 'aws-lambda';
import { classifyRecords } from './s3-event.js';
import {
  runContinuation,
  runUpload,
  type InvocationClock,
  type TriggerDeps,
  type UploadOutcome,
} from './run-upload.js';

export type RecordOutcome =
  UploadOutcome | { kind: 'ignored'; key: string; reason: string } | { kind: 'error'; key: string; message: string };

export async function handleS3Event(
  event: Partial<S3Event>,
  deps: TriggerDeps,
  clock: InvocationClock,
): Promise<RecordOutcome[]> {
  const out: RecordOutcome[] = [];
  for (const rec of classifyRecords(event, deps.config.prefixes)) {
    if (rec.kind === 'ignored') {
      deps.logger.debug({ bucket: rec.ref.bucket, key: rec.ref.key, reason: rec.reason }, 'ignored S3 record');
      out.push({ kind: 'ignored', key: rec.ref.key, reason: rec.reason });
      continue;
    }
    try {
      out.push(
        rec.kind === 'manifest' ? await runUpload(rec.ref, deps, clock) : await runContinuation(rec.ref, deps, clock),
      );
    } catch (err) {
      // One record's infrastructure failure must not hide the others; it is logged and rethrown at the end.
      deps.logger.error({ key: rec.ref.key, err: (err as Error).message }, 'record failed');
      out.push({ kind: 'error', key: rec.ref.key, message: (err as Error).message });
    }
  }
  return out;
}
