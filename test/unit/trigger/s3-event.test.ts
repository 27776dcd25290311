import { describe, expect, it } from 'vitest';
import { classifyRecords, decodeS3Key, encodeS3Key, uploadId } from '../../../lib/trigger/s3-event.js';

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
