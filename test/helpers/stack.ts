/** Test helpers for the embedded stack: upload, read objects, list keys. */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import type { LocalStack } from '../../local/stack.js';
import type { Report } from '../../lib/report/types.js';
import { encodeS3Key } from '../../lib/trigger/s3-event.js';

export async function upload(stack: LocalStack, key: string, body: string | Uint8Array): Promise<void> {
  await stack.s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: body }));
}

export async function getText(stack: LocalStack, key: string): Promise<string | undefined> {
  const res = await stack.s3.send(new GetObjectCommand({ Bucket: stack.bucket, Key: key })).catch(() => undefined);
  return res?.Body ? res.Body.transformToString() : undefined;
}

/** A report.json (or latest.json) in the bucket; the test fails if it is missing. */
export async function getReport(stack: LocalStack, key: string): Promise<Report> {
  const text = await getText(stack, key);
  if (text === undefined) throw new Error(`no report at ${key}`);
  return JSON.parse(text) as Report;
}

/** The Lambda context of a handler call with ten minutes to go. */
export const LAMBDA_CTX = { getRemainingTimeInMillis: () => 600_000 };

export async function listKeys(stack: LocalStack, prefix: string): Promise<string[]> {
  const res = await stack.s3.send(new ListObjectsV2Command({ Bucket: stack.bucket, Prefix: prefix }));
  return (res.Contents ?? []).map((o) => o.Key!).sort();
}

/** An S3 "object created" event as AWS sends it, for one key (URL-encoded as S3 does). */
export function s3Event(bucket: string, key: string, sequencer: string): S3Event {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'us-east-1',
        eventTime: new Date().toISOString(),
        eventName: 'ObjectCreated:Put',
        userIdentity: { principalId: 'test' },
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: { 'x-amz-request-id': 'r', 'x-amz-id-2': 'i' },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'c',
          bucket: { name: bucket, ownerIdentity: { principalId: 'o' }, arn: `arn:aws:s3:::${bucket}` },
          object: { key: encodeS3Key(key), size: 1, eTag: sequencer, sequencer },
        },
      },
    ],
  };
}
