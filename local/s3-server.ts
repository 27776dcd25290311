/**
 * s3rver as the local stack's object store: one bucket on loopback, a client for it, and its
 * object-created events as S3 delivers them. s3rver puts raw keys in its events while S3 URL-encodes
 * them (a space as `+`), and the handler decodes what S3 sends, so the keys are encoded here first.
 */
import type { EventEmitter } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import S3rver from 's3rver';
// s3rver checks signatures against its accounts' key pairs; its one account is this dummy.
import { DUMMY_ACCOUNT } from 's3rver/lib/models/account.js';
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
  /** Makes s3rver accept another key pair (the FunctionGraph mode's temporary credentials). */
  acceptKeyPair(accessKeyId: string, secretAccessKey: string): void;
  close(): Promise<void>;
}

/**
 * Starts s3rver on `host` (port 0 = a free port) with `bucket` created, keeping its files in
 * `directory`. Rejects with the listen error (EADDRINUSE when the port is taken).
 */
export async function startS3Server(options: {
  directory: string;
  bucket: string;
  host: string;
  port: number;
}): Promise<LocalS3Server> {
  const s3rver = new S3rver({
    address: options.host,
    port: options.port,
    silent: true,
    directory: options.directory,
    configureBuckets: [{ name: options.bucket, configs: [] }],
  });
  // What s3rver.run() does, but with the listen error caught: run() leaves it as an unhandled
  // 'error' event on its server, which ends the process.
  await s3rver.configureBuckets();
  const server = await listen(s3rver, options.port, options.host);
  const address = server.address() as AddressInfo;
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
      (s3rver as unknown as EventEmitter).on('event', (raw: S3Event) => listener(asS3Sends(raw)));
    },
    acceptKeyPair: (accessKeyId, secretAccessKey) => DUMMY_ACCOUNT.createKeyPair(accessKeyId, secretAccessKey),
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}

/**
 * Listens with s3rver's own listen() (Koa's, which s3rver overrides to tidy up when its server
 * closes; its type declarations leave it out). Given a callback it returns the server at once, so
 * the listen error, emitted later, can be caught.
 */
function listen(s3rver: S3rver, port: number, host: string): Promise<Server> {
  const app = s3rver as unknown as { listen(port: number, host: string, onListening: () => void): Server };
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, () => {
      server.off('error', failed);
      resolve(server);
    });
    const failed = (err: Error): void => {
      server.close(); // runs s3rver's tidying up
      reject(err);
    };
    server.once('error', failed);
  });
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
