/**
 * FunctionGraph's events → the upload records every adapter classifies alike (s3-event.ts). Three
 * forms are told apart (docs/FUNCTIONGRAPH.md, "Events"):
 *
 * - the OBS trigger's event: `Records[]` with `eventVersion` "3.0", `eventSource` "OBS", `eventRegion`
 *   and the object under `obs` (`obs.bucket.name`, `obs.object.key`, `eTag`, `versionId`, `sequencer`);
 * - the older S3-shaped form some OBS triggers send: the same under `s3` (eventSource "aws:s3" or "OBS");
 * - an EventGrid CloudEvent (`specversion`, `source`, `type`, `data`), its `data` holding an OBS record,
 *   `Records[]`, or the bucket and object; a batch (`{events: [...]}` or an array) is taken apart.
 *
 * Keys are read as S3 sends them, URL-encoded with `+` for a space (the safe reading where Huawei's
 * documentation is silent). Anything else is an 'ignored' record with a reason, never a throw.
 */
import type { S3EventRecord } from 'aws-lambda';
import type { RequestedBy } from '../report/types.js';
import {
  classifyRef,
  decodeS3Key,
  realVersionId,
  refOfS3Record,
  requesterOf,
  type Classified,
  type Prefixes,
  type UploadRef,
} from './s3-event.js';

export type FunctionGraphEventForm = 'obs' | 's3' | 'cloudevent';

export interface FunctionGraphRecords {
  /** The form the event was recognised as; undefined when it was none of them. */
  form?: FunctionGraphEventForm | undefined;
  /** The region the event names (OBS `eventRegion`, S3 `awsRegion`), for the OBS endpoint. */
  region?: string | undefined;
  records: Classified[];
}

type Json = Record<string, unknown>;

const NOT_AN_EVENT =
  'not an OBS event: expected Records[] (OBS or S3 form) or a CloudEvent (specversion and data) naming a bucket and a key';

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function rejected(reason: string, ref: Partial<UploadRef> = {}): Classified {
  return { kind: 'ignored', ref: { bucket: '', key: '', eventName: '', ...ref }, reason };
}

/** `s3:ObjectCreated:Put` and `obs:ObjectCreated:Put` as `ObjectCreated:Put`. */
function plainEventName(name: unknown): string {
  return (str(name) ?? '').replace(/^(s3|obs|OBS):/, '');
}

/** An OBS record's `obs` block (or an object of the same shape) → the upload it names. */
function refOfObsBlock(obs: Json, eventName: string, requestedBy?: RequestedBy): UploadRef | undefined {
  const bucket = obs.bucket;
  const object = obs.object;
  const bucketName = isObject(bucket) ? str(bucket.name) : str(bucket);
  const o = isObject(object) ? object : {};
  const rawKey = isObject(object) ? str(object.key) : str(object);
  if (!bucketName || !rawKey) return undefined;
  const key = decodeS3Key(rawKey);
  return {
    bucket: bucketName,
    key,
    ...(key !== rawKey && { rawKey }),
    eventName,
    versionId: realVersionId(str(o.versionId)),
    sequencer: str(o.sequencer),
    etag: (str(o.eTag) ?? str(o.etag))?.replace(/"/g, ''),
    requestedBy,
  };
}

/** One record of `Records[]`, OBS or S3-shaped. */
function recordOf(
  r: unknown,
  prefixes: Prefixes,
  via: RequestedBy['via'] = 'obs-event',
): { form?: FunctionGraphEventForm | undefined; region?: string | undefined; rec: Classified } {
  if (!isObject(r)) return { rec: rejected('not an OBS event record: a record is not a JSON object') };
  const eventName = plainEventName(r.eventName);
  if (isObject(r.obs)) {
    const ref = refOfObsBlock(r.obs, eventName, requesterOf(r, via));
    const region = str(r.eventRegion);
    if (!ref) return { form: 'obs', region, rec: rejected('OBS record without obs.bucket.name and obs.object.key') };
    return { form: 'obs', region, rec: classifyRef(ref, prefixes) };
  }
  if (isObject(r.s3)) {
    const s3Ref = refOfS3Record({ ...(r as unknown as S3EventRecord), eventName }, via);
    const rawKey = str((r.s3 as { object?: { key?: unknown } }).object?.key);
    const ref = rawKey !== undefined && rawKey !== s3Ref.key ? { ...s3Ref, rawKey } : s3Ref;
    const region = str(r.eventRegion) ?? str(r.awsRegion);
    if (!ref.bucket || !ref.key)
      return { form: 's3', region, rec: rejected('S3-shaped record without s3.bucket.name and s3.object.key') };
    return { form: 's3', region, rec: classifyRef(ref, prefixes) };
  }
  return { rec: rejected('not an OBS event record: it has neither an "obs" nor an "s3" block') };
}

function fromRecords(list: unknown[], prefixes: Prefixes, via?: RequestedBy['via']): FunctionGraphRecords {
  const parts = list.map((r) => recordOf(r, prefixes, via));
  const forms = parts.map((p) => p.form).filter(Boolean);
  return {
    form: forms.includes('obs') ? 'obs' : forms[0],
    region: parts.find((p) => p.region)?.region,
    records: parts.length ? parts.map((p) => p.rec) : [rejected('an event with no records')],
  };
}

/** The event name a CloudEvent's `type` stands for: `OBS:CloudTrace:ObjectCreated:Put`, `object:put` … */
export function eventNameOfType(type: string): string {
  const named = /(ObjectCreated|ObjectRemoved)(:[A-Za-z*]+)?/.exec(type);
  if (named) return `${named[1]}${named[2] ?? ''}`;
  const short = /(?:^|:)object:(put|post|copy|completemultipartupload|delete)$/i.exec(type);
  if (!short) return type;
  const verb = short[1].toLowerCase();
  if (verb === 'delete') return 'ObjectRemoved:Delete';
  const names: Record<string, string> = {
    put: 'Put',
    post: 'Post',
    copy: 'Copy',
    completemultipartupload: 'CompleteMultipartUpload',
  };
  return `ObjectCreated:${names[verb]}`;
}

function parseData(data: unknown): unknown {
  if (typeof data !== 'string') return data;
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return undefined;
  }
}

function fromCloudEvent(ce: Json, prefixes: Prefixes): FunctionGraphRecords {
  const data = parseData(ce.data);
  const typeName = eventNameOfType(str(ce.type) ?? '');
  if (!isObject(data)) {
    return {
      form: 'cloudevent',
      records: [rejected(`CloudEvent ${str(ce.type) ?? '(no type)'} without a data object`)],
    };
  }
  if (Array.isArray(data.Records)) return { ...fromRecords(data.Records, prefixes, 'cloudevent'), form: 'cloudevent' };
  const region = str(data.eventRegion) ?? str(data.region) ?? str(ce.region);
  if (isObject(data.obs) || isObject(data.s3)) {
    const { rec } = recordOf({ ...data, eventName: data.eventName ?? typeName }, prefixes, 'cloudevent');
    return { form: 'cloudevent', region, records: [rec] };
  }
  const ref = refOfObsBlock(data, plainEventName(data.eventName) || typeName, {
    ...requesterOf(data, 'cloudevent'),
    event_time: str(data.eventTime) ?? str(ce.time),
  });
  if (!ref) {
    return {
      form: 'cloudevent',
      region,
      records: [rejected(`CloudEvent ${str(ce.type) ?? '(no type)'} whose data names no bucket and object key`)],
    };
  }
  return { form: 'cloudevent', region, records: [classifyRef(ref, prefixes)] };
}

function isCloudEvent(v: unknown): boolean {
  return isObject(v) && typeof v.specversion === 'string';
}

/** Any FunctionGraph event → its classified upload records (at least one; garbage → one 'ignored'). */
export function classifyFunctionGraphEvent(event: unknown, prefixes: Prefixes): FunctionGraphRecords {
  const parsed = parseData(event);
  if (Array.isArray(parsed) && parsed.length > 0 && parsed.every(isCloudEvent))
    return batch(parsed as Json[], prefixes);
  if (!isObject(parsed)) return { records: [rejected(NOT_AN_EVENT)] };
  if (Array.isArray(parsed.Records)) return fromRecords(parsed.Records, prefixes);
  if (isCloudEvent(parsed)) return fromCloudEvent(parsed, prefixes);
  if (Array.isArray(parsed.events) && parsed.events.length > 0 && parsed.events.every(isCloudEvent)) {
    return batch(parsed.events as Json[], prefixes);
  }
  return { records: [rejected(NOT_AN_EVENT)] };
}

function batch(events: Json[], prefixes: Prefixes): FunctionGraphRecords {
  const parts = events.map((e) => fromCloudEvent(e, prefixes));
  return {
    form: 'cloudevent',
    region: parts.find((p) => p.region)?.region,
    records: parts.flatMap((p) => p.records),
  };
}
