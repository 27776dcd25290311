/**
 * The FunctionGraph handler end to end on the local stack (real loopback servers): each event form
 * (the OBS trigger's 3.0 form, the older S3-shaped form, EventGrid CloudEvents) with a context shaped
 * like FunctionGraph's carrying temporary credentials; tasks created exactly once, reports at the usual
 * keys, continuations as OBS events, garbage ignored with a reason, and the credentials in no log line,
 * report or error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFunctionGraphHandler } from '../../../handlers/functiongraph.js';
import { createLogger } from '../../../lib/logger.js';
import { encodeS3Key } from '../../../lib/trigger/s3-event.js';
import { functionGraphContext, type TemporaryCredentials } from '../../../local/functiongraph.js';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../../local/stack.js';
import { bulkManifest, tempDir } from '../../helpers/cli.js';
import { getReport, getText, listKeys, upload } from '../../helpers/stack.js';

/** Distinctive temporary credentials, so that any leak is found by a plain search. */
const CREDS: TemporaryCredentials = {
  accessKey: 'TMPAKXQZLEAKCHECK0001',
  secretKey: 'tmpSkSecretValueThatMustNeverAppear9f3e',
  securityToken: 'tmpSecurityTokenThatMustNeverAppear-gQpzLXRva2Vu-7c1d',
};

function capture(): { lines: string[]; logger: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (s: string) => void lines.push(s) } });
  return { lines, logger };
}

function expectNoCredentials(texts: string[]): void {
  for (const text of texts) {
    for (const secret of [CREDS.secretKey, CREDS.securityToken, CREDS.accessKey]) expect(text).not.toContain(secret);
  }
}

/** The local stack in FunctionGraph mode, with CREDS as the agency's credentials and `log` as its logger. */
async function startFunctionGraphStack(
  prefix: string,
  log: ReturnType<typeof capture>,
  extra: Partial<LocalStackOptions> = {},
): Promise<LocalStack> {
  return startLocalStack({
    dataDir: await tempDir(prefix),
    logger: log.logger,
    platform: 'functiongraph',
    temporaryCredentials: CREDS,
    ...extra,
  });
}

/** One OBS 3.0 trigger record of an upload (`key` as the event carries it). */
function obsRecord(bucket: string, key: string, eTag: string, sequencer: string): Record<string, unknown> {
  return {
    eventVersion: '3.0',
    eventSource: 'OBS',
    eventRegion: 'local-1',
    eventName: 'ObjectCreated:Put',
    obs: { bucket: { name: bucket }, object: { key, eTag, sequencer } },
  };
}

function createsOnce(stack: LocalStack): void {
  const committed = Object.values(stack.emulator.stats().createsCommitted);
  expect(committed.length).toBeGreaterThan(0);
  expect(committed.every((n) => n === 1)).toBe(true);
}

/** Every report.json / latest.json / state object text under a prefix. */
async function bucketTexts(stack: LocalStack): Promise<string[]> {
  const keys = [...(await listKeys(stack, 'reports/')), ...(await listKeys(stack, 'state/'))];
  return Promise.all(keys.map(async (k) => (await getText(stack, k)) ?? ''));
}

describe('FunctionGraph on the local stack: OBS trigger events (eventVersion 3.0)', () => {
  let stack: LocalStack;
  const log = capture();
  beforeAll(async () => {
    stack = await startFunctionGraphStack('fdi-fg-', log);
  });
  afterAll(() => stack.close());

  it('signs FDI calls with the agency credentials: no token is configured', () => {
    expect(stack.env.FDI_AUTH_TOKEN).toBeUndefined();
    expect(stack.platform).toBe('functiongraph');
  });

  it('provisions uploads whose keys have spaces, "+" and non-ASCII, each exactly once, reports at the usual keys', async () => {
    const keys = {
      'manifests/fg/wave one.yaml': 'reports/fg/wave one/latest.json',
      'manifests/fg/a+b c.yaml': 'reports/fg/a+b c/latest.json',
      'manifests/fg/日本 é (1).yml': 'reports/fg/日本 é (1)/latest.json',
    };
    let i = 0;
    for (const key of Object.keys(keys)) await upload(stack, key, bulkManifest(4, { prefix: `fg${i++}` }));
    await stack.idle();
    for (const [key, latestKey] of Object.entries(keys)) {
      const latest = await getReport(stack, latestKey);
      expect(latest.status).toBe('succeeded');
      expect(latest.counts.created).toBe(4);
      expect(latest.manifest.uri).toBe(`s3://${stack.bucket}/${key}`);
    }
    expect(stack.emulator.stats().tasksStored).toBe(12);
    createsOnce(stack);
    expect(stack.outcomes.filter((o) => o.kind === 'error')).toEqual([]);
    expect(stack.outcomes.filter((o) => o.kind === 'finished')).toHaveLength(3);
  });

  it('never prints the temporary credentials: not in a log line, a report or a state object', async () => {
    expect(log.lines.length).toBeGreaterThan(0);
    expectNoCredentials(log.lines);
    expectNoCredentials(await bucketTexts(stack));
  });
});

describe('FunctionGraph: a run over its deadline continues through OBS events', () => {
  let stack: LocalStack;
  const log = capture();
  beforeAll(async () => {
    stack = await startFunctionGraphStack('fdi-fg-deadline-', log, {
      env: { FDI_RATE: '40', FDI_TIMEOUT_MS: '1000' },
      invocationTimeoutMs: 2500,
      deadline: { softMarginMs: 1000, hardMarginMs: 200 },
    });
  });
  afterAll(() => stack.close());

  it('continues in new invocations and finishes with one report and no duplicate', async () => {
    await upload(stack, 'manifests/long fg/wave.yaml', bulkManifest(120, { prefix: 'longfg' }));
    await stack.idle();
    expect(stack.outcomes.filter((o) => o.kind === 'continued').length).toBeGreaterThanOrEqual(1);
    expect(stack.outcomes.filter((o) => o.kind === 'finished')).toHaveLength(1);
    expect(stack.emulator.stats().tasksStored).toBe(120);
    createsOnce(stack);
    const latest = await getReport(stack, 'reports/long fg/wave/latest.json');
    expect(latest.status).toBe('succeeded');
    expect(latest.counts).toMatchObject({ total: 120, created: 120, not_attempted: 0 });
    expectNoCredentials(log.lines);
  });
});

describe('FunctionGraph: the S3-shaped form, CloudEvents and garbage, delivered directly', () => {
  let stack: LocalStack;
  const log = capture();
  beforeAll(async () => {
    stack = await startFunctionGraphStack('fdi-fg-forms-', log, {
      deliverStoreEvents: false,
    });
  });
  afterAll(() => stack.close());

  /** The handler called as FunctionGraph calls it, with its own context. */
  function handler() {
    const h = createFunctionGraphHandler(() => ({ logger: log.logger, processEnv: stack.env }));
    return (event: unknown) =>
      h(
        event,
        functionGraphContext(CREDS, () => 600_000),
      );
  }

  it('the older S3-shaped form (eventSource "OBS" or "aws:s3", versionId "null")', async () => {
    const invoke = handler();
    for (const [i, source] of ['OBS', 'aws:s3'].entries()) {
      const key = `manifests/s3 form/${source === 'OBS' ? 'obs' : 'aws'} + ${i} ü.yaml`;
      await upload(stack, key, bulkManifest(3, { prefix: `s3form${i}` }));
      const out = await invoke({
        Records: [
          {
            eventVersion: '2.0',
            eventSource: source,
            awsRegion: 'local-1',
            eventTime: new Date().toISOString(),
            eventName: 'ObjectCreated:Put',
            s3: {
              s3SchemaVersion: '1.0',
              bucket: { name: stack.bucket, arn: `arn:aws:s3:::${stack.bucket}` },
              object: { key: encodeS3Key(key), eTag: `etag-s3-${i}`, size: 1, versionId: 'null', sequencer: `S3F${i}` },
            },
          },
        ],
      });
      expect(out.map((o) => o.kind)).toEqual(['finished']);
      const latest = await getReport(
        stack,
        `reports/${key.replace(/^manifests\//, '').replace(/\.yaml$/, '')}/latest.json`,
      );
      expect(latest.status).toBe('succeeded');
      expect(latest.manifest.uri).toBe(`s3://${stack.bucket}/${key}`);
    }
    createsOnce(stack);
  });

  it('an EventGrid CloudEvent whose data is an OBS record, or names the bucket and object', async () => {
    const invoke = handler();
    const key1 = 'manifests/eg/one + two.yaml';
    const key2 = 'manifests/eg/日本.yaml';
    await upload(stack, key1, bulkManifest(2, { prefix: 'eg1' }));
    await upload(stack, key2, bulkManifest(2, { prefix: 'eg2' }));
    const first = await invoke({
      specversion: '1.0',
      id: 'e1',
      source: 'HC.OBS.DWR',
      type: 'OBS:DWR:ObjectCreated:Put',
      datacontenttype: 'application/json',
      subject: key1,
      time: new Date().toISOString(),
      data: {
        eventVersion: '3.0',
        eventSource: 'OBS',
        eventRegion: 'local-1',
        eventName: 'ObjectCreated:Put',
        obs: { bucket: { name: stack.bucket }, object: { key: encodeS3Key(key1), eTag: 'eg1', sequencer: 'EG1' } },
      },
    });
    expect(first.map((o) => o.kind)).toEqual(['finished']);
    const second = await invoke({
      specversion: '1.0',
      id: 'e2',
      source: 'HC.OBS',
      type: 'object:put',
      data: JSON.stringify({ bucket: stack.bucket, object: { key: encodeS3Key(key2), eTag: 'eg2', sequencer: 'EG2' } }),
    });
    expect(second.map((o) => o.kind)).toEqual(['finished']);
    expect((await getReport(stack, 'reports/eg/one + two/latest.json')).status).toBe('succeeded');
    expect((await getReport(stack, 'reports/eg/日本/latest.json')).status).toBe('succeeded');
    createsOnce(stack);
  });

  it('a key the event carried unencoded ("a+b c%41.yaml") is found under that key when the decoded one does not exist', async () => {
    const invoke = handler();
    const key = 'manifests/raw/a+b c%41.yaml';
    await upload(stack, key, bulkManifest(1, { prefix: 'rawkey' }));
    const out = await invoke({
      Records: [obsRecord(stack.bucket, key, 'raw', 'RAW1')],
    });
    expect(out.map((o) => o.kind)).toEqual(['finished']);
    const latest = await getReport(stack, 'reports/raw/a+b c%41/latest.json');
    expect(latest.status).toBe('succeeded');
    expect(latest.manifest.uri).toBe(`s3://${stack.bucket}/${key}`);
  });

  it('a duplicate delivery of the same upload is a no-op', async () => {
    const invoke = handler();
    const key = 'manifests/dup/wave.yaml';
    await upload(stack, key, bulkManifest(2, { prefix: 'dup' }));
    const event = {
      Records: [obsRecord(stack.bucket, key, 'd', 'DUP1')],
    };
    expect((await invoke(event)).map((o) => o.kind)).toEqual(['finished']);
    expect((await invoke(event)).map((o) => o.kind)).toEqual(['duplicate']);
    createsOnce(stack);
  });

  it('garbage is ignored with a reason, logged, and never thrown', async () => {
    const invoke = handler();
    const before = stack.emulator.stats().requestsTotal;
    const garbage: unknown[] = [
      null,
      'hello',
      42,
      [],
      {},
      { Records: [] },
      { Records: [{}] },
      { Records: [{ eventVersion: '3.0', eventSource: 'OBS', obs: { bucket: {} } }] },
      { specversion: '1.0', type: 'OBS:DWR:ObjectCreated:Put' },
      { specversion: '1.0', type: 'OBS:DWR:ObjectCreated:Put', data: { nothing: true } },
      { specversion: '1.0', type: 'OBS:DWR:ObjectCreated:Put', data: 'not json' },
      {
        Records: [
          {
            eventVersion: '3.0',
            eventSource: 'OBS',
            eventName: 'ObjectRemoved:Delete',
            obs: { bucket: { name: stack.bucket }, object: { key: 'manifests/gone.yaml' } },
          },
        ],
      },
      {
        Records: [
          {
            eventVersion: '3.0',
            eventSource: 'OBS',
            eventName: 'ObjectCreated:Put',
            obs: { bucket: { name: stack.bucket }, object: { key: 'reports/x/latest.json' } },
          },
        ],
      },
    ];
    for (const event of garbage) {
      const out = await invoke(event);
      expect(out.length).toBeGreaterThan(0);
      for (const o of out) {
        expect(o.kind).toBe('ignored');
        expect((o as { reason: string }).reason.length).toBeGreaterThan(5);
      }
    }
    expect(stack.emulator.stats().requestsTotal).toBe(before);
    const warned = log.lines.filter((l) => l.includes('ignored event record') && l.includes('"level":40'));
    expect(warned.length).toBeGreaterThanOrEqual(8);
    expect(log.lines.some((l) => l.includes('not an OBS event'))).toBe(true);
  });

  it('credentials FDI refuses: the run is aborted and reported, and no credential appears anywhere', async () => {
    const wrong = { ...CREDS, securityToken: 'wrongSecurityTokenDistinctValue-93ab' };
    const h = createFunctionGraphHandler(() => ({ logger: log.logger, processEnv: stack.env }));
    const key = 'manifests/refused/wave.yaml';
    await upload(stack, key, bulkManifest(2, { prefix: 'refused' }));
    const out = await h(
      {
        Records: [obsRecord(stack.bucket, key, 'r', 'REF1')],
      },
      functionGraphContext(wrong, () => 600_000),
    );
    expect(out.map((o) => o.kind)).toEqual(['finished']);
    const latest = await getReport(stack, 'reports/refused/wave/latest.json');
    expect(latest.status).toBe('aborted');
    const texts = [...log.lines, JSON.stringify(latest), ...(await bucketTexts(stack))];
    for (const t of texts) expect(t).not.toContain(wrong.securityToken);
    expectNoCredentials(texts);
  });

  it('reads the credentials on every invocation (they rotate): one handler, refused then accepted', async () => {
    const h = createFunctionGraphHandler(() => ({ logger: log.logger, processEnv: stack.env }));
    const event = (key: string, seq: string) => ({
      Records: [
        {
          eventVersion: '3.0',
          eventSource: 'OBS',
          eventRegion: 'local-1',
          eventName: 'ObjectCreated:Put',
          obs: { bucket: { name: stack.bucket }, object: { key, eTag: seq, sequencer: seq } },
        },
      ],
    });
    await upload(stack, 'manifests/rotate/old.yaml', bulkManifest(1, { prefix: 'rotold' }));
    await upload(stack, 'manifests/rotate/new.yaml', bulkManifest(1, { prefix: 'rotnew' }));
    const expired = { ...CREDS, securityToken: 'expiredSecurityTokenDistinct-51' };
    await h(
      event('manifests/rotate/old.yaml', 'ROT1'),
      functionGraphContext(expired, () => 600_000),
    );
    expect((await getReport(stack, 'reports/rotate/old/latest.json')).status).toBe('aborted');
    const out = await h(
      event('manifests/rotate/new.yaml', 'ROT2'),
      functionGraphContext(CREDS, () => 600_000),
    );
    expect(out.map((o) => o.kind)).toEqual(['finished']);
    expect((await getReport(stack, 'reports/rotate/new/latest.json')).status).toBe('succeeded');
    for (const l of log.lines) expect(l).not.toContain(expired.securityToken);
  });

  it('credentials OBS refuses: the handler throws (for a configured retry) and the error names no credential', async () => {
    const unknown = {
      accessKey: 'UNKNOWNAKDISTINCT77',
      secretKey: 'unknownSkDistinct77xyz',
      securityToken: 'unknownTokenDistinct77',
    };
    const h = createFunctionGraphHandler(() => ({ logger: log.logger, processEnv: stack.env }));
    const key = 'manifests/refused/store.yaml';
    await upload(stack, key, bulkManifest(1, { prefix: 'store' }));
    const event = {
      Records: [obsRecord(stack.bucket, key, 's', 'STO1')],
    };
    const err = await h(
      event,
      functionGraphContext(unknown, () => 600_000),
    ).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(Error);
    const texts = [String(err), err!.stack ?? '', JSON.stringify(err), ...log.lines];
    for (const t of texts) for (const s of [unknown.secretKey, unknown.securityToken]) expect(t).not.toContain(s);
  });

  it('never prints the temporary credentials', async () => {
    expectNoCredentials(log.lines);
    expectNoCredentials(await bucketTexts(stack));
  });
});
