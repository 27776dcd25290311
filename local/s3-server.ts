/**
 * s3rver as the local stack's object store: one bucket on loopback, a client for it, and its
 * object-created events as S3 delivers them. s3rver puts raw keys in its events while S3 URL-encodes
 * them (a space as `+`), and the handler decodes what S3 sends, so the keys are encoded here first.
 */
import type { EventEmitter } from 'node:events';
import net from 'node:net';
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import S3rver from 's3rver';
import { createS3Client } from '../lib/storage/s3-store.js';
import { encodeS3Key } from '../lib/trigger/s3-event.js';

/** A running s3rver. */
export interface LocalS3Server {
  /** e.g. http://127.0.0.1:4568 */
  endpoint: string;
  /** A new client with s3rver's fixed credentials, path-style as s3rver needs; the caller destroys it. */
  client(): S3Client;
  /** Calls `listener` with every object-created event, its keys encoded as S3 encodes them. */
  onEvent(listener: (event: S3Event) => void): void;
  close(): Promise<void>;
}

/** Starts s3rver on loopback (port 0 = a free port) with `bucket` created, keeping its files in `directory`. */
export async function startS3Server(options: {
  directory: string;
  bucket: string;
  port: number;
}): Promise<LocalS3Server> {
  // s3rver leaves a listen error as an unhandled 'error' event that ends the process: look first.
  if (options.port !== 0) await portIsFree(options.port);
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port,
    silent: true,
    directory: options.directory,
    configureBuckets: [{ name: options.bucket, configs: [] }],
  });
  const address = await server.run();
  const endpoint = `http://${address.address}:${address.port}`;
  return {
    endpoint,
    client: () =>
      createS3Client(
        { endpoint, forcePathStyle: true, region: 'us-east-1' },
        { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      ),
    // s3rver emits its notifications as 'event'; its type declarations leave them out.
    onEvent: (listener) => {
      (server as unknown as EventEmitter).on('event', (raw: S3Event) => listener(asS3Sends(raw)));
    },
    close: () => server.close(),
  };
}

/** The event with its keys URL-encoded, as S3 sends them. */
function asS3Sends(raw: S3Event): S3Event {
  return {
    Records: raw.Records.map((r) => ({
      ...r,
      s3: { ...r.s3, object: { ...r.s3.object, key: encodeS3Key(r.s3.object.key) } },
    })),
  };
}

/** Resolves when `port` on loopback can be listened on; rejects with the listen error (EADDRINUSE) otherwise. */
function portIsFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}
