/**
 * Classified upload records → the runs they ask for, one record at a time (several records per event).
 * Every platform adapter (the Lambda handler's S3 events, FunctionGraph's OBS events and CloudEvents)
 * turns its event into `Classified` records (s3-event.ts, obs-event.ts) and hands them here.
 */
import type { S3Event } from 'aws-lambda';
import { classifyRecords, type Classified } from './s3-event.js';
import {
  runContinuation,
  runUpload,
  type InvocationClock,
  type TriggerDeps,
  type UploadOutcome,
} from './run-upload.js';

export type RecordOutcome =
  UploadOutcome | { kind: 'ignored'; key: string; reason: string } | { kind: 'error'; key: string; message: string };

/** Runs what each record asks for; an infrastructure failure of one record is an 'error' outcome, not a throw. */
export async function handleRecords(
  records: readonly Classified[],
  deps: TriggerDeps,
  clock: InvocationClock,
): Promise<RecordOutcome[]> {
  const out: RecordOutcome[] = [];
  for (const rec of records) {
    if (rec.kind === 'ignored') {
      deps.logger.debug({ bucket: rec.ref.bucket, key: rec.ref.key, reason: rec.reason }, 'ignored S3 record');
      out.push({ kind: 'ignored', key: rec.ref.key, reason: rec.reason });
      continue;
    }
    try {
      out.push(
        rec.kind === 'continuation'
          ? await runContinuation(rec.ref, deps, clock)
          : await runUpload(rec.ref, deps, clock, rec.kind === 'destroy' ? 'destroy' : 'apply'),
      );
    } catch (err) {
      // One record's infrastructure failure must not hide the others; it is logged and rethrown at the end.
      deps.logger.error({ key: rec.ref.key, err: (err as Error).message }, 'record failed');
      out.push({ kind: 'error', key: rec.ref.key, message: (err as Error).message });
    }
  }
  return out;
}

/** An S3 event (AWS Lambda) → the runs it asks for. */
export function handleS3Event(
  event: Partial<S3Event>,
  deps: TriggerDeps,
  clock: InvocationClock,
): Promise<RecordOutcome[]> {
  return handleRecords(classifyRecords(event, deps.config.prefixes), deps, clock);
}
