import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../lib/config.js';
import { classifyRecords, classifyRef, decodeS3Key, encodeS3Key, uploadId } from '../../../lib/trigger/s3-event.js';

const prefixes = { manifest: 'manifests/', state: 'state/' };
const rec = (key: string, extra: Record<string, unknown> = {}, eventName = 'ObjectCreated:Put') => ({
  eventName,
  s3: { bucket: { name: 'b' }, object: { key, sequencer: '0A', eTag: '"abc"', ...extra } },
});

describe('S3 event keys', () => {
  it.each([
    ['manifests/in+box/my+manifest.yaml', 'manifests/in box/my manifest.yaml'],
    ['manifests/a%2Bb.yaml', 'manifests/a+b.yaml'],
    ['manifests/%E6%97%A5%E6%9C%AC.yaml', 'manifests/日本.yaml'],
    ['manifests/100%25.yaml', 'manifests/100%.yaml'],
  ])('%s → %s', (raw, decoded) => {
    expect(decodeS3Key(raw)).toBe(decoded);
    expect(decodeS3Key(encodeS3Key(decoded))).toBe(decoded);
  });

  it('leaves a malformed escape as it is rather than failing', () => {
    expect(decodeS3Key('manifests/%E0%A4%A.yaml')).toBe('manifests/%E0%A4%A.yaml');
  });
});

describe('classifyRecords', () => {
  it('runs manifests and continuations, ignores everything else with a reason', () => {
    const out = classifyRecords(
      {
        Records: [
          rec('manifests/team/a.yaml'),
          rec('manifests/team/b.YML'),
          rec('manifests/team/notes.txt'),
          rec('reports/team/a/latest.json'),
          rec('state/team/a/s-0A/2.continue'),
          rec('state/team/a/s-0A/checkpoint.json'),
          rec('manifests/team/c.yaml', {}, 'ObjectRemoved:Delete'),
        ] as never,
      },
      prefixes,
    );
    expect(out.map((o) => o.kind)).toEqual([
      'manifest',
      // Suffixes are exact, as the deployment's notification filters are (#11.13).
      'ignored',
      'ignored',
      'ignored',
      'continuation',
      'ignored',
      'ignored',
    ]);
    expect(out[1]).toMatchObject({ reason: 'not a manifest: the name must end in .yaml or .yml, in lower case' });
    expect(out[2]).toMatchObject({ reason: 'not a manifest: the name must end in .yaml or .yml, in lower case' });
    expect(out[3]).toMatchObject({ reason: 'outside the manifest prefix "manifests/"' });
  });
});

describe('uploadId', () => {
  it('prefers the version id, then the sequencer, then the ETag', () => {
    expect(uploadId({ bucket: 'b', key: 'k', eventName: 'e', versionId: 'v1', sequencer: 's', etag: 'e' })).toBe(
      'v-v1',
    );
    expect(uploadId({ bucket: 'b', key: 'k', eventName: 'e', sequencer: '0A1B', etag: 'e' })).toBe('s-0A1B');
    expect(uploadId({ bucket: 'b', key: 'k', eventName: 'e', etag: 'abc' })).toBe('e-abc');
  });

  it('is safe as a key segment', () => {
    expect(uploadId({ bucket: 'b', key: 'k', eventName: 'e', versionId: 'a/b c' })).toBe('v-a_b_c');
  });
});

describe('destroy uploads (docs/DESTROY.md)', () => {
  const ref = (key: string) => ({ bucket: 'b', key, eventName: 'ObjectCreated:Put' });
  const enabled = loadConfig({ FDI_DESTROY_UPLOADS: 'true' }).prefixes;

  it('are classified only under the destroy prefix, and only where enabled', () => {
    expect(enabled.destroy).toBe('destroy/');
    expect(classifyRef(ref('destroy/team/w1.yaml'), enabled).kind).toBe('destroy');
    // The manifest prefix never destroys.
    expect(classifyRef(ref('manifests/destroy/w1.yaml'), enabled).kind).toBe('manifest');
    expect(classifyRef(ref('destroy/team/notes.txt'), enabled).kind).toBe('ignored');
    const off = loadConfig({}).prefixes;
    expect(off.destroy).toBeUndefined();
    expect(classifyRef(ref('destroy/team/w1.yaml'), off)).toMatchObject({ kind: 'ignored' });
    const custom = loadConfig({ FDI_DESTROY_UPLOADS: 'yes', DESTROY_PREFIX: 'rollback' }).prefixes;
    expect(classifyRef(ref('rollback/w1.yml'), custom).kind).toBe('destroy');
  });

  it('need a prefix of their own: one overlapping another is a configuration error', () => {
    expect(() => loadConfig({ FDI_DESTROY_UPLOADS: 'true', DESTROY_PREFIX: 'manifests/destroy/' })).toThrow(
      /DESTROY_PREFIX "manifests\/destroy\/" overlaps MANIFEST_PREFIX "manifests\/"/,
    );
    expect(() => loadConfig({ FDI_DESTROY_UPLOADS: 'true', DESTROY_PREFIX: '' })).not.toThrow();
    expect(() => loadConfig({ FDI_DESTROY_UPLOADS: 'true', MANIFEST_PREFIX: '' })).toThrow(/overlaps MANIFEST_PREFIX/);
    expect(() => loadConfig({ FDI_DESTROY_UPLOADS: 'maybe' })).toThrow(/FDI_DESTROY_UPLOADS must be true or false/);
    expect(() => loadConfig({ FDI_DESTROY_UPLOADS: 'true', FDI_POLICY_OBJECT: 'destroy/policy.yaml' })).toThrow(
      /FDI_POLICY_OBJECT "destroy\/policy.yaml" lies under DESTROY_PREFIX/,
    );
  });
});
