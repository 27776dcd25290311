/** Test helpers for the embedded stack: upload, read objects, list keys. */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import type { LocalStack } from '../../lib/local/stack.js';

export async function upload(stack: LocalStack, key: string, body: string | Uint8Array): Promise<void> {
  await stack.s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: body }));
}

export async function getText(stack: LocalStack, key: string): Promise<string | undefined> {
  const res = await stack.s3.send(new GetObjectCommand({ Bucket: stack.bucket, Key: key })).catch(() => undefined);
  return res?.Body ? res.Body.transformToString() : undefined;
}

export async function listKeys(stack: LocalStack, prefix: string): Promise<string[]> {
  const res = await stack.s3.send(new ListObjectsV2Command({ Bucket: stack.bucket, Prefix: prefix }));
  return (res.Contents ?? []).map((o) => o.Key!).sort();
}
