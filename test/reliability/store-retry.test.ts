/**
 * The pieces of "the store fails too" that need no stack: the S3 client's retry strategy (no quota,
 * client errors never retried) and a claim whose create was ambiguous.
 */
import { describe, expect, it } from 'vitest';
import { storeRetryStrategy } from '../../lib/storage/s3-retry.js';
import type { ObjectStore } from '../../lib/storage/object-store.js';
import { claim } from '../../lib/trigger/claim.js';

interface Token {
  getRetryCount(): number;
  getRetryDelay(): number;
}
type Strategy = {
  acquireInitialRetryToken(scope: string): Promise<Token>;
  refreshRetryTokenForRetry(t: Token, e: { errorType: string }): Promise<Token>;
};

describe('the store client retries', () => {
  const strategy = storeRetryStrategy({ maxAttempts: 8, random: () => 0.5 }) as unknown as Strategy;

  it('retries server errors, throttling and transient errors up to maxAttempts, with growing delays, and never a client error', async () => {
    let t = await strategy.acquireInitialRetryToken('s3');
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      t = await strategy.refreshRetryTokenForRetry(t, { errorType: i % 2 ? 'TRANSIENT' : 'SERVER_ERROR' });
      delays.push(t.getRetryDelay());
    }
    expect(t.getRetryCount()).toBe(7);
    expect(delays).toEqual([50, 100, 200, 400, 800, 1600, 3200]);
    await expect(strategy.refreshRetryTokenForRetry(t, { errorType: 'SERVER_ERROR' })).rejects.toThrow();
    const first = await strategy.acquireInitialRetryToken('s3');
    expect((await strategy.refreshRetryTokenForRetry(first, { errorType: 'THROTTLING' })).getRetryDelay()).toBe(250);
    await expect(strategy.refreshRetryTokenForRetry(first, { errorType: 'CLIENT_ERROR' })).rejects.toThrow();
  });

  it('has no quota: a thousand failing requests each get their retries', async () => {
    for (let i = 0; i < 1000; i++) {
      const t = await strategy.acquireInitialRetryToken('s3');
      await expect(strategy.refreshRetryTokenForRetry(t, { errorType: 'THROTTLING' })).resolves.toBeDefined();
    }
  });
});

describe('a claim whose create was ambiguous', () => {
  /** A store honouring conditional writes whose create commits, then answers "exists" (the retried put's 412). */
  function ambiguousStore(): ObjectStore & { objects: Map<string, string> } {
    const objects = new Map<string, string>();
    return {
      objects,
      location: 'mem://',
      put: (key, body) => Promise.resolve(void objects.set(key, String(body))),
      get: (key) =>
        Promise.resolve(objects.has(key) ? { body: new TextEncoder().encode(objects.get(key)) } : undefined),
      createIfAbsent(key, body) {
        const existed = objects.has(key);
        if (!existed) objects.set(key, String(body));
        return Promise.resolve('exists');
      },
      list: () => Promise.resolve([...objects.keys()]),
      delete: (key) => Promise.resolve(void objects.delete(key)),
    };
  }

  it('is won when the object holds our own body', async () => {
    const store = ambiguousStore();
    expect(await claim(store, 'state/x/lock.json', { owner: 'me' })).toEqual({ won: true, atomic: true });
  });

  it('is lost when another owner holds it', async () => {
    const store = ambiguousStore();
    store.objects.set('state/x/lock.json', JSON.stringify({ owner: 'other' }));
    expect(await claim(store, 'state/x/lock.json', { owner: 'me' })).toEqual({ won: false, atomic: true });
  });
});
