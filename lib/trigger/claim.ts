/**
 * Claiming a key once: the lock that makes a duplicate or concurrent delivery of the same upload a
 * no-op. With conditional writes (`If-None-Match: *`: AWS S3, MinIO) the claim is atomic. On a store
 * that ignores them (s3rver) it is best effort: look, write our owner id, wait, read back; the
 * exactly-once guarantee then rests on the name lookups alone, and the report says so.
 */
import { randomBytes } from 'node:crypto';
import { sleep } from '../traffic/sleep.js';
import type { ObjectStore } from '../storage/object-store.js';

export interface ClaimResult {
  won: boolean;
  /** False when the store ignores conditional writes. */
  atomic: boolean;
}

/** How long a best-effort claimer waits before reading back whose claim survived. */
const SETTLE_MS = 300;

export async function claim(
  store: ObjectStore,
  key: string,
  owner: Record<string, unknown> & { owner: string },
  settleMs = SETTLE_MS,
): Promise<ClaimResult> {
  const body = JSON.stringify(owner);
  const res = await store.createIfAbsent(key, body);
  // An ambiguous create (the store committed it, then failed the answer) is retried by the client and
  // refused as existing: the claim is ours when the object holds our own body.
  if (res === 'exists') return { won: await holds(store, key, body), atomic: true };
  if (res === 'created') return { won: true, atomic: true };
  if (await store.get(key)) return { won: false, atomic: false };
  await store.put(key, body, 'application/json');
  await sleep(settleMs);
  const after = await store.get(key);
  const holder = after ? (JSON.parse(Buffer.from(after.body).toString('utf8')) as { owner?: string }).owner : undefined;
  return { won: holder === owner.owner, atomic: false };
}

async function holds(store: ObjectStore, key: string, body: string): Promise<boolean> {
  const held = await store.get(key);
  return held !== undefined && Buffer.from(held.body).toString('utf8') === body;
}

/** The body of a claim: a random owner and when it was made. */
export const claimBody = (): { owner: string; claimed_at: string } => ({
  owner: randomBytes(8).toString('hex'),
  claimed_at: new Date().toISOString(),
});

/** What the report says of a claim made on a store that ignores conditional writes. */
export function storeNotes(claimed: ClaimResult): string[] {
  if (claimed.atomic) return [];
  return [
    'This store ignores conditional writes, so duplicate deliveries are stopped on a best-effort basis; exactly-once creation rests on the name lookups.',
  ];
}
