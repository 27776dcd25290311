/**
 * The storage primitives the product needs, behind one interface: a local folder (CLI reports) and
 * S3-compatible buckets implement it. Keys are `/`-separated and relative to the store's root.
 */
import { UserError } from '../errors.js';

/** An object larger than the reader allowed; it was not read. */
export class ObjectTooLargeError extends UserError {
  constructor(
    readonly where: string,
    readonly size: number,
    readonly maxBytes: number,
  ) {
    super(`${where} is ${size} bytes, over the limit of ${maxBytes}`);
  }
}

export interface StoredObject {
  body: Uint8Array;
  etag?: string | undefined;
  versionId?: string | undefined;
}

export interface ObjectStore {
  /** A human name of where the store is, e.g. `s3://bucket` or `./reports`. */
  readonly location: string;
  put(key: string, body: string | Uint8Array, contentType?: string): Promise<void>;
  /** Undefined when absent. Throws `ObjectTooLargeError` (without reading it) when larger than `maxBytes`. */
  get(key: string, maxBytes?: number): Promise<StoredObject | undefined>;
  /**
   * Creates the object only if absent. `created` false means it existed. `unsupported` means the store
   * ignores conditional writes, so no guarantee may rest on it.
   */
  createIfAbsent(key: string, body: string | Uint8Array): Promise<'created' | 'exists' | 'unsupported'>;
  list(prefix: string): Promise<string[]>;
  delete(key: string): Promise<void>;
}

/** Joins key parts with single slashes. */
export function joinKey(...parts: string[]): string {
  return parts
    .filter((p) => p !== '')
    .map((p, i) => (i === 0 ? p.replace(/\/+$/, '') : p.replace(/^\/+|\/+$/g, '')))
    .join('/');
}

/** Parses `s3://bucket/key` (the key may be empty). */
export function parseS3Uri(uri: string): { bucket: string; key: string } | undefined {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  return m ? { bucket: m[1], key: m[2] } : undefined;
}
