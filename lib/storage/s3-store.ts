/**
 * An `ObjectStore` over S3 or any S3-compatible endpoint (OBS, MinIO, s3rver) with
 * @aws-sdk/client-s3. Checksums are computed only when required: the SDK's default aws-chunked
 * uploads break S3-compatible stores (docs/ARCHITECTURE.md, "S3-compatible stores"). Bodies are strings or buffers, never streams.
 */
import { randomBytes } from 'node:crypto';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import type { Config } from '../config.js';
import { storeRetryStrategy } from './s3-retry.js';
import { joinKey, ObjectTooLargeError, type ObjectStore, type StoredObject } from './object-store.js';

/**
 * How the client rides out a failing store (docs/RELIABILITY.md, "The store fails too"). S3 and OBS
 * answer `503 SlowDown`, 500, reset connections and sometimes never answer: each request is tried up
 * to `maxAttempts` times with jittered exponential backoff, without the SDK's per-client retry quota
 * (s3-retry.ts), and a request the store stops answering is given up after `requestTimeoutMs` of silence
 * (the SDK's default is to wait for ever, which would hang the invocation until its platform kills it).
 */
export interface S3Resilience {
  maxAttempts: number;
  /** Silence on an open request before it is abandoned (and retried). */
  requestTimeoutMs: number;
  /** Time to open a connection before it is abandoned (and retried). */
  connectionTimeoutMs: number;
}

export const DEFAULT_S3_RESILIENCE: S3Resilience = {
  maxAttempts: 8,
  requestTimeoutMs: 15_000,
  connectionTimeoutMs: 5_000,
};

/** One S3 client per process (or cold start); cheap to share. */
export function createS3Client(
  s3: Config['s3'],
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
  resilience: Partial<S3Resilience> = {},
): S3Client {
  const r = { ...DEFAULT_S3_RESILIENCE, ...resilience };
  return new S3Client({
    region: s3.region,
    forcePathStyle: s3.forcePathStyle,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: r.maxAttempts,
    retryStrategy: storeRetryStrategy({ maxAttempts: r.maxAttempts }),
    // Without throwOnRequestTimeout the SDK only logs a warning when the timeout passes, and waits on.
    requestHandler: {
      requestTimeout: r.requestTimeoutMs,
      throwOnRequestTimeout: true,
      socketTimeout: r.requestTimeoutMs,
      connectionTimeout: r.connectionTimeoutMs,
    },
    // The SDK's configuration types take no explicit undefined.
    ...(s3.endpoint && { endpoint: s3.endpoint }),
    ...(credentials && { credentials }),
  });
}

function isStatus(err: unknown, ...statuses: number[]): boolean {
  return err instanceof S3ServiceException && statuses.includes(err.$metadata?.httpStatusCode ?? 0);
}

/**
 * The store of one bucket, as a plain object of functions. `probePrefix`: where the conditional-write
 * probe may write (state/).
 */
export function s3Store(client: S3Client, bucket: string, options: { probePrefix?: string } = {}): ObjectStore {
  let conditional: Promise<boolean> | undefined;
  const put = (key: string, body: string | Uint8Array, contentType?: string, ifNoneMatch?: boolean) =>
    putObject(client, bucket, key, body, contentType, ifNoneMatch);
  return {
    location: `s3://${bucket}`,
    put: (key, body, contentType) => put(key, body, contentType),
    get: (key, maxBytes) => getObject(client, bucket, key, maxBytes),
    async createIfAbsent(key, body) {
      // A probe that failed (the store failing, not answering the question) is asked again next time.
      conditional ??= probeConditionalWrites(client, bucket, options.probePrefix ?? '').catch((err: unknown) => {
        conditional = undefined;
        throw err;
      });
      if (!(await conditional)) return 'unsupported';
      try {
        await put(key, body, 'application/json', true);
        return 'created';
      } catch (err) {
        if (isStatus(err, 412, 409)) return 'exists';
        throw err;
      }
    },
    list: (prefix) => listKeys(client, bucket, prefix),
    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
  };
}

async function putObject(
  client: S3Client,
  bucket: string,
  key: string,
  body: string | Uint8Array,
  contentType?: string,
  ifNoneMatch?: boolean,
): Promise<void> {
  const IfNoneMatch = ifNoneMatch ? '*' : undefined;
  await client.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType, IfNoneMatch }),
  );
}

/** Undefined when absent; an object over `maxBytes` is refused without reading it. */
async function getObject(
  client: S3Client,
  bucket: string,
  key: string,
  maxBytes?: number,
): Promise<StoredObject | undefined> {
  const where = `s3://${bucket}/${key}`;
  try {
    const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (maxBytes !== undefined && (res.ContentLength ?? 0) > maxBytes) {
      res.Body?.transformToWebStream()
        .cancel()
        .catch(() => undefined);
      throw new ObjectTooLargeError(where, res.ContentLength ?? 0, maxBytes);
    }
    const body = await res.Body!.transformToByteArray();
    if (maxBytes !== undefined && body.length > maxBytes) throw new ObjectTooLargeError(where, body.length, maxBytes);
    return { body, etag: res.ETag?.replace(/"/g, ''), versionId: res.VersionId };
  } catch (err) {
    if (isStatus(err, 404) || (err as Error).name === 'NoSuchKey') return undefined;
    throw err;
  }
}

async function listKeys(client: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const res = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const o of res.Contents ?? []) if (o.Key) keys.push(o.Key);
    token = res.IsTruncated ? res.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

/** Does the store honour If-None-Match on PUT? s3rver, for one, ignores it and overwrites. */
async function probeConditionalWrites(client: S3Client, bucket: string, prefix: string): Promise<boolean> {
  const key = joinKey(prefix, `.conditional-write-probe-${randomBytes(6).toString('hex')}`);
  try {
    try {
      await putObject(client, bucket, key, 'probe', 'text/plain', true);
    } catch (err) {
      // A store that refuses the header outright (400 or 501 NotImplemented, as some S3-compatible stores
      // do; OBS documents no If-None-Match on PUT) has no conditional writes: the lock is best effort.
      if (isStatus(err, 400, 501) || (err as Error).name === 'NotImplemented') return false;
      throw err;
    }
    try {
      await putObject(client, bucket, key, 'probe', 'text/plain', true);
      return false;
    } catch (err) {
      if (isStatus(err, 412, 409)) return true;
      throw err;
    }
  } finally {
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })).catch(() => undefined);
  }
}
