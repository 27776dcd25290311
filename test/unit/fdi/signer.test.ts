import { describe, expect, it } from 'vitest';
import {
  canonicalQuery,
  computeSignature,
  defaultSignedHeaders,
  parseSdkDate,
  signRequest,
  verifySignature,
} from '../../../lib/fdi/model/signer.js';

// The official test vectors of huaweicloud-sdk-go-v3 core/auth/signer/signer_test.go (docs/FDI-API.md §8).
const AK = 'AccessKey';
const SK = 'SecretKey';
const DATE = '20060102T150405Z';

describe('SDK-HMAC-SHA256 official vectors', () => {
  it('GET /path?limit=1 with no body', () => {
    const headers = { 'X-Sdk-Date': DATE, TEST_UNDERSCORE: 'value' };
    const signed = defaultSignedHeaders(headers);
    expect(signed).toEqual(['x-sdk-date']);
    expect(computeSignature({ method: 'GET', url: '/path?limit=1', headers }, SK, signed)).toBe(
      '5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624',
    );
  });

  it('POST /path?key=value with a JSON body ending in a newline', () => {
    const headers = { 'X-Sdk-Date': DATE, 'Content-Type': 'application/json', TEST_UNDERSCORE: 'value' };
    const signed = defaultSignedHeaders(headers);
    expect(signed).toEqual(['x-sdk-date']);
    const body = '{"Name":"test","Id":1}\n';
    expect(computeSignature({ method: 'POST', url: '/path?key=value', headers, body }, SK, signed)).toBe(
      'cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59',
    );
  });

  it('canonicalises a query with repeated keys and reserved characters', () => {
    expect(
      canonicalQuery({ limit: '1', enable: 'true', test: '一 (&=?!#%.*)', path: '/tmp/123', multi: ['1', '2', '3'] }),
    ).toBe(
      'enable=true&limit=1&multi=1&multi=2&multi=3&path=%2Ftmp%2F123&test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29',
    );
  });
});

describe('sign and verify round trip', () => {
  const now = parseSdkDate(DATE)!;
  const secretFor = (ak: string) => (ak === AK ? SK : undefined);
  const base = {
    method: 'POST',
    url: '/v2/p/fdi/instances/i/tasks',
    headers: { 'Content-Type': 'application/json', Host: 'h' },
    body: '{"a":1}',
  };

  it('accepts what it signed', () => {
    const added = signRequest(base, { accessKey: AK, secretKey: SK }, now);
    expect(added.Authorization).toMatch(
      /^SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=host;x-sdk-date, Signature=[0-9a-f]{64}$/,
    );
    expect(verifySignature({ ...base, headers: { ...base.headers, ...added } }, secretFor, now)).toEqual({
      ok: true,
      accessKey: AK,
    });
  });

  it.each([
    ['a changed body', { body: '{"a":2}' }],
    ['a changed path', { url: '/v2/p/fdi/instances/j/tasks' }],
    ['a changed method', { method: 'PUT' }],
  ])('rejects %s', (_name, change) => {
    const added = signRequest(base, { accessKey: AK, secretKey: SK }, now);
    const res = verifySignature({ ...base, ...change, headers: { ...base.headers, ...added } }, secretFor, now);
    expect(res).toEqual({ ok: false, reason: 'verify aksk signature fail' });
  });

  it('rejects the wrong secret and an unknown access key', () => {
    const wrong = signRequest(base, { accessKey: AK, secretKey: 'other' }, now);
    expect(verifySignature({ ...base, headers: { ...base.headers, ...wrong } }, secretFor, now).ok).toBe(false);
    const unknown = signRequest(base, { accessKey: 'nobody', secretKey: SK }, now);
    expect(verifySignature({ ...base, headers: { ...base.headers, ...unknown } }, secretFor, now).ok).toBe(false);
  });

  it('rejects a date more than 15 minutes off', () => {
    const added = signRequest(base, { accessKey: AK, secretKey: SK }, now);
    const later = new Date(now.getTime() + 16 * 60_000);
    expect(verifySignature({ ...base, headers: { ...base.headers, ...added } }, secretFor, later)).toEqual({
      ok: false,
      reason: 'calc ak sk signature fail: signature expired',
    });
  });

  it('signs the security token of temporary credentials', () => {
    const added = signRequest(base, { accessKey: AK, secretKey: SK, securityToken: 'tok' }, now);
    expect(added['X-Security-Token']).toBe('tok');
    expect(added.Authorization).toContain('SignedHeaders=host;x-sdk-date;x-security-token');
  });
});
