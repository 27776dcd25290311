import { describe, expect, it } from 'vitest';
import { classifyFunctionGraphEvent, eventNameOfType } from '../../../lib/trigger/obs-event.js';

const PREFIXES = { manifest: 'manifests/', state: 'state/' };

function obsRecord(key: string, extra: Record<string, unknown> = {}) {
  return {
    eventVersion: '3.0',
    eventSource: 'OBS',
    eventRegion: 'cn-north-4',
    eventTime: '2026-11-29T10:00:00.000Z',
    eventName: 'ObjectCreated:Put',
    userIdentity: { ID: '0ed1b73473f24134a478962e631651eb' },
    requestParameters: { sourceIPAddress: '103.218.216.125' },
    obs: {
      Version: '1.0',
      bucket: { name: 'b', bucket: 'b' },
      object: { key, eTag: '"9d377b10ce778c4938b3c7e2c63a229a"', size: 10, versionId: 'null', sequencer: '0000000016' },
    },
    ...extra,
  };
}

describe('classifyFunctionGraphEvent', () => {
  it('reads the OBS trigger form: bucket, decoded key, ETag without quotes, "null" version id as none, region', () => {
    const out = classifyFunctionGraphEvent(
      { Records: [obsRecord('manifests/in+box/a%2Bb+%E6%97%A5%E6%9C%AC.yaml')] },
      PREFIXES,
    );
    expect(out.form).toBe('obs');
    expect(out.region).toBe('cn-north-4');
    expect(out.records).toEqual([
      {
        kind: 'manifest',
        ref: {
          bucket: 'b',
          key: 'manifests/in box/a+b 日本.yaml',
          rawKey: 'manifests/in+box/a%2Bb+%E6%97%A5%E6%9C%AC.yaml',
          eventName: 'ObjectCreated:Put',
          versionId: undefined,
          sequencer: '0000000016',
          etag: '9d377b10ce778c4938b3c7e2c63a229a',
          requestedBy: {
            via: 'obs-event',
            principal: '0ed1b73473f24134a478962e631651eb',
            source_ip: '103.218.216.125',
            event_time: '2026-11-29T10:00:00.000Z',
          },
        },
      },
    ]);
  });

  it('names the uploader of every form: OBS ID, S3-form principalId, PrincipalId, a CloudEvent; long values cut', () => {
    const ref = (event: unknown) => {
      const [c] = classifyFunctionGraphEvent(event, PREFIXES).records;
      return c.ref.requestedBy;
    };
    const s3Form = {
      eventVersion: '2.0',
      eventSource: 'aws:s3',
      eventName: 'ObjectCreated:Put',
      userIdentity: { principalId: '00a4a44afa9f43ceb520c82166407d58' },
      requestParameters: { sourceIPAddress: '172.27.48.44' },
      s3: { bucket: { name: 'b' }, object: { key: 'manifests/a.yaml', eTag: 'e', sequencer: '1' } },
    };
    expect(ref({ Records: [s3Form] })).toEqual({
      via: 'obs-event',
      principal: '00a4a44afa9f43ceb520c82166407d58',
      source_ip: '172.27.48.44',
      event_time: undefined,
    });
    expect(ref({ Records: [{ ...s3Form, userIdentity: { PrincipalId: 'P' } }] })?.principal).toBe('P');
    const cloud = {
      specversion: '1.0',
      type: 'OBS:CloudTrace:ObjectCreated:Put',
      time: '2026-11-29T10:00:01Z',
      data: { ...obsRecord('manifests/b.yaml'), userIdentity: { ID: 'x'.repeat(1000) } },
    };
    expect(ref(cloud)).toMatchObject({ via: 'cloudevent', principal: 'x'.repeat(256), source_ip: '103.218.216.125' });
    expect(ref({ Records: [{ ...obsRecord('manifests/c.yaml'), userIdentity: 'not an object' }] })).toMatchObject({
      principal: undefined,
    });
  });

  it('keeps a real version id (the upload identity) and classifies continuations', () => {
    const rec = obsRecord('state/x/e-1/2.continue');
    (rec.obs.object as Record<string, unknown>).versionId = 'G001117FCE89978B0000401205D5DC9A';
    const [c] = classifyFunctionGraphEvent({ Records: [rec] }, PREFIXES).records;
    expect(c.kind).toBe('continuation');
    expect(c.ref.versionId).toBe('G001117FCE89978B0000401205D5DC9A');
  });

  it('reads the S3-shaped form with eventSource "OBS" or "aws:s3", region from awsRegion', () => {
    for (const eventSource of ['OBS', 'aws:s3']) {
      const out = classifyFunctionGraphEvent(
        {
          Records: [
            {
              eventVersion: '2.0',
              eventSource,
              awsRegion: 'eu-de',
              eventName: 's3:ObjectCreated:Post',
              s3: { bucket: { name: 'b' }, object: { key: 'manifests/a+b.yml', eTag: 'e', sequencer: 's' } },
            },
          ],
        },
        PREFIXES,
      );
      expect(out.form).toBe('s3');
      expect(out.region).toBe('eu-de');
      expect(out.records[0]).toMatchObject({
        kind: 'manifest',
        ref: { key: 'manifests/a b.yml', eventName: 'ObjectCreated:Post' },
      });
    }
  });

  it('reads CloudEvents: data as an OBS record, as Records[], as bucket/object, as a JSON string; batches', () => {
    const ce = (data: unknown, type = 'OBS:DWR:ObjectCreated:Put') => ({
      specversion: '1.0',
      id: '1',
      source: 'HC.OBS.DWR',
      type,
      data,
    });
    const asRecord = classifyFunctionGraphEvent(ce(obsRecord('manifests/x.yaml')), PREFIXES);
    expect(asRecord).toMatchObject({
      form: 'cloudevent',
      region: 'cn-north-4',
      records: [{ kind: 'manifest', ref: { key: 'manifests/x.yaml' } }],
    });
    const asRecords = classifyFunctionGraphEvent(ce({ Records: [obsRecord('manifests/y.yaml')] }), PREFIXES);
    expect(asRecords.records[0]).toMatchObject({ kind: 'manifest', ref: { key: 'manifests/y.yaml' } });
    const plain = classifyFunctionGraphEvent(ce({ bucket: 'b', object: 'manifests/z+1.yaml' }, 'object:put'), PREFIXES);
    expect(plain.records[0]).toMatchObject({
      kind: 'manifest',
      ref: { bucket: 'b', key: 'manifests/z 1.yaml', eventName: 'ObjectCreated:Put' },
    });
    const str = classifyFunctionGraphEvent(
      ce(JSON.stringify({ bucket: { name: 'b' }, object: { key: 'manifests/s.yaml' } })),
      PREFIXES,
    );
    expect(str.records[0]).toMatchObject({ kind: 'manifest', ref: { key: 'manifests/s.yaml' } });
    const batch = classifyFunctionGraphEvent(
      { events: [ce({ bucket: 'b', object: 'manifests/1.yaml' }), ce({ bucket: 'b', object: 'manifests/2.yaml' })] },
      PREFIXES,
    );
    expect(batch.records.map((r) => r.ref.key)).toEqual(['manifests/1.yaml', 'manifests/2.yaml']);
    const removed = classifyFunctionGraphEvent(
      ce({ bucket: 'b', object: 'manifests/1.yaml' }, 'OBS:DWR:ObjectRemoved:Delete'),
      PREFIXES,
    );
    expect(removed.records[0]).toMatchObject({
      kind: 'ignored',
      reason: 'event ObjectRemoved:Delete is not an upload',
    });
  });

  it('turns anything else into one ignored record with a reason, never a throw', () => {
    const garbage: unknown[] = [
      undefined,
      null,
      0,
      'x',
      '{"not":"an event"}',
      [],
      [1],
      {},
      { Records: 'x' },
      { Records: [] },
      { Records: [null] },
      { Records: [{ obs: {} }] },
      { Records: [{ s3: {} }] },
      { specversion: '1.0' },
      { specversion: '1.0', data: 'not json' },
      { events: [] },
    ];
    for (const event of garbage) {
      const out = classifyFunctionGraphEvent(event, PREFIXES);
      expect(out.records.length).toBeGreaterThan(0);
      for (const r of out.records) {
        expect(r.kind).toBe('ignored');
        expect((r as { reason: string }).reason).toMatch(/\w{3,}/);
      }
    }
  });
});

describe('eventNameOfType', () => {
  it.each([
    ['OBS:CloudTrace:ObjectCreated:Put', 'ObjectCreated:Put'],
    ['OBS:DWR:ObjectCreated:CompleteMultipartUpload', 'ObjectCreated:CompleteMultipartUpload'],
    ['ObjectCreated:*', 'ObjectCreated:*'],
    ['object:put', 'ObjectCreated:Put'],
    ['OBS:object:copy', 'ObjectCreated:Copy'],
    ['object:delete', 'ObjectRemoved:Delete'],
    ['something:else', 'something:else'],
  ])('%s → %s', (type, name) => expect(eventNameOfType(type)).toBe(name));
});
