/**
 * Writes that must land: a run's report, `latest.json` and `finished.json`. The S3 client already
 * retries each request (s3-store.ts); a store that keeps failing for longer (a burst of `503
 * SlowDown`, an exhausted retry quota) gets a few more tries, spaced out, before the write fails and
 * the run with it (docs/RELIABILITY.md, "The store fails too").
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ObjectStore } from './object-store.js';

/** Pauses before the second, third … try of a write that must land (after the client's own retries). */
export const PERSIST_DELAYS_MS: readonly number[] = [500, 2_000, 5_000];

/** `write`, tried again after each of `delaysMs` while it fails; the last failure is thrown. */
export async function persistently<T>(
  write: () => Promise<T>,
  delaysMs: readonly number[] = PERSIST_DELAYS_MS,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await write();
    } catch (err) {
      if (attempt >= delaysMs.length) throw err;
      await sleep(delaysMs[attempt]);
    }
  }
}

/** `store.put`, persistently. */
export function putPersistently(
  store: ObjectStore,
  key: string,
  body: string | Uint8Array,
  contentType?: string,
  delaysMs?: readonly number[],
): Promise<void> {
  return persistently(() => store.put(key, body, contentType), delaysMs);
}
