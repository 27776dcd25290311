/**
 * S3 notification events → what to run. Keys arrive URL-encoded with `+` for spaces (so `+` itself is
 * `%2B`). Only manifests (under the manifest prefix, ending .yaml/.yml) and our own continuation
 * objects are work; everything else (reports, state, other files) is ignored, so writing a report can
 * never re-trigger a run.
 */
import type { S3Event, S3EventRecord } from 'aws-lambda';
import type { RequestedBy } from '../report/types.js';

export interface UploadRef {
  bucket: string;
  key: string;
  versionId?: string | undefined;
  sequencer?: string | undefined;
  etag?: string | undefined;
  eventName: string;
  /**
   * The key as the event carried it, when decoding changed it (FunctionGraph: Huawei does not document
   * whether OBS encodes keys, so an object missing under the decoded key is looked for under this one).
   */
  rawKey?: string | undefined;
  /** Who uploaded it, as the event says (docs/SECURITY.md, "Who did what"). */
  requestedBy?: RequestedBy | undefined;
}

export type Classified =
  | { kind: 'manifest'; ref: UploadRef }
  /** A manifest uploaded under the destroy prefix, where destroy uploads are enabled (docs/DESTROY.md). */
  | { kind: 'destroy'; ref: UploadRef }
  | { kind: 'continuation'; ref: UploadRef }
  | { kind: 'ignored'; ref: UploadRef; reason: string };

/**
 * Continuation objects the function writes to itself: `<state prefix>…/<n>.continue`. The distinct
 * suffix lets the S3 notification rule (prefix state/, suffix .continue) skip locks and checkpoints.
 */
export const CONTINUATION_SUFFIX = '.continue';
export const CONTINUATION_RE = /\/\d+\.continue$/;

/**
 * A manifest's key ends in `.yaml` or `.yml`, exactly: S3 and OBS notification filters compare suffixes
 * case-sensitively, so the deployment (serverless.yml) and the local stack accept the same keys.
 */
export const MANIFEST_SUFFIX = /\.ya?ml$/;

/** Decodes an S3 event key: `+` is a space, `%2B` a plus. */
export function decodeS3Key(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

/** Encodes a key as S3 does in its events (local stack: s3rver's events carry it raw). */
export function encodeS3Key(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/');
}

/** The upload an S3-shaped record (`s3` block) names, its key decoded. */
export function refOfS3Record(r: Partial<S3EventRecord> | undefined, via: RequestedBy['via'] = 's3-event'): UploadRef {
  return {
    bucket: r?.s3?.bucket?.name ?? '',
    key: decodeS3Key(r?.s3?.object?.key ?? ''),
    eventName: r?.eventName ?? '',
    versionId: realVersionId(r?.s3?.object?.versionId),
    sequencer: r?.s3?.object?.sequencer || undefined,
    etag: r?.s3?.object?.eTag?.replace(/"/g, '') || undefined,
    requestedBy: requesterOf(r, via),
  };
}

/**
 * Who an upload record says uploaded the object: `userIdentity.principalId` (S3; `ID` in OBS's own form,
 * `PrincipalId` in some OBS events), `requestParameters.sourceIPAddress` and `eventTime`. Only short
 * strings are kept: an event is data from outside, and a report is no place for a large one.
 */
export function requesterOf(record: unknown, via: RequestedBy['via']): RequestedBy {
  const r = (typeof record === 'object' && record !== null ? record : {}) as Record<string, unknown>;
  const identity = asObject(r.userIdentity);
  const request = asObject(r.requestParameters);
  return {
    via,
    principal: short(identity.principalId) ?? short(identity.ID) ?? short(identity.PrincipalId),
    source_ip: short(request.sourceIPAddress),
    event_time: short(r.eventTime),
  };
}

function asObject(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function short(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v.slice(0, 256) : undefined;
}

/**
 * A version id that names a version: an unversioned bucket's events may carry the string "null"
 * (OBS triggers on Open Telekom Cloud do), which would make every upload of a key the same upload.
 */
export function realVersionId(v: string | null | undefined): string | undefined {
  return v && v !== 'null' ? v : undefined;
}

/**
 * What one upload record asks for: the one classification every adapter (the Lambda handler's S3
 * events, FunctionGraph's OBS events and CloudEvents) feeds its records to.
 */
export function classifyRef(ref: UploadRef, prefixes: Prefixes): Classified {
  if (!ref.bucket || !ref.key) return { kind: 'ignored', ref, reason: 'not an S3 object record' };
  if (!ref.eventName.startsWith('ObjectCreated'))
    return { kind: 'ignored', ref, reason: `event ${ref.eventName} is not an upload` };
  if (ref.key.startsWith(prefixes.state) && CONTINUATION_RE.test(ref.key)) return { kind: 'continuation', ref };
  // The prefixes never overlap (lib/config.ts): a key is under one of them at most.
  const kind = ref.key.startsWith(prefixes.manifest)
    ? 'manifest'
    : prefixes.destroy !== undefined && ref.key.startsWith(prefixes.destroy)
      ? 'destroy'
      : undefined;
  if (!kind) {
    const where = prefixes.destroy
      ? `the manifest prefix "${prefixes.manifest}" and the destroy prefix "${prefixes.destroy}"`
      : `the manifest prefix "${prefixes.manifest}"`;
    return { kind: 'ignored', ref, reason: `outside ${where}` };
  }
  if (!MANIFEST_SUFFIX.test(ref.key)) {
    return { kind: 'ignored', ref, reason: 'not a manifest: the name must end in .yaml or .yml, in lower case' };
  }
  return { kind, ref };
}

/** The prefixes classification needs: manifests, the function's state, and destroy uploads when enabled. */
export interface Prefixes {
  manifest: string;
  state: string;
  destroy?: string | undefined;
}

export function classifyRecords(event: Partial<S3Event>, prefixes: Prefixes): Classified[] {
  return (event.Records ?? []).map((r) => classifyRef(refOfS3Record(r), prefixes));
}

/**
 * The identity of an upload: the version id where versioning is on, else the event's sequencer
 * (duplicate deliveries of one upload share it; a re-upload gets a new one), else the ETag.
 */
export function uploadId(ref: UploadRef): string {
  const raw = ref.versionId
    ? `v-${ref.versionId}`
    : ref.sequencer
      ? `s-${ref.sequencer}`
      : `e-${ref.etag ?? 'unknown'}`;
  return raw.replace(/[^A-Za-z0-9._-]/g, '_');
}
