/** The run-end notice built from a report (lib/notify/notice.ts): its stable shape, its text, its formats. */
import { describe, expect, it } from 'vitest';
import { noticeBody, runNotice, type RunNotice } from '../../../lib/notify/index.js';
import type { Report } from '../../../lib/report/types.js';

const COUNTS = { total: 10, created: 7, updated: 0, existing: 1, failed: 2, invalid: 0, not_attempted: 0 };

function report(over: Partial<Report> = {}): Report {
  return {
    version: 1,
    run_id: '20261129T120000Z-abc123',
    operation: 'apply',
    manifest: { uri: 's3://bucket/manifests/team/wave1.yaml', etag: '"e"' },
    requested_by: { via: 's3-event', principal: 'AWS:AIDAEXAMPLE', source_ip: '10.0.0.1' },
    target: { project_id: 'p', instance_id: 'i' },
    status: 'partial',
    started_at: '2026-11-29T12:00:00.000Z',
    finished_at: '2026-11-29T12:00:12.345Z',
    duration_ms: 12_345,
    counts: COUNTS,
    steps: { schedules_created: 0, schedules_updated: 0, schedules_unchanged: 0, started: 0 },
    stats: { requests: 20, retries: 1, throttled: 0 },
    errors: [],
    tasks: [],
    ...over,
  };
}

const LOCATION = 's3://bucket/reports/team/wave1/20261129T120000Z-abc123/';

describe('runNotice', () => {
  it('the stable shape: every key, in this order, unknown values null', () => {
    const notice = runNotice(report(), LOCATION);
    expect(Object.keys(notice)).toEqual([
      'event',
      'version',
      'run_id',
      'operation',
      'manifest',
      'status',
      'reason',
      'counts',
      'started_at',
      'finished_at',
      'duration_ms',
      'report',
      'requested_by',
      'text',
    ]);
    expect(notice).toMatchObject({
      event: 'fdi-provisioner.run.finished',
      version: 1,
      run_id: '20261129T120000Z-abc123',
      status: 'partial',
      reason: null,
      counts: COUNTS,
      report: LOCATION,
    });
    expect(runNotice(report({ requested_by: undefined }), LOCATION).requested_by).toBeNull();
  });

  it.each<[string, Partial<Report>, string]>([
    [
      'a partial apply',
      {},
      'fdi-provisioner: apply of s3://bucket/manifests/team/wave1.yaml partial in 12.3 s — 10 tasks: 7 created, 1 existing, 2 failed; requested by AWS:AIDAEXAMPLE; report s3://bucket/reports/team/wave1/20261129T120000Z-abc123/',
    ],
    [
      'a rejected run from the command line, over a minute',
      {
        status: 'rejected',
        reason: 'the manifest has 2 problem(s);\n nothing was sent',
        counts: { ...COUNTS, total: 0, created: 0, existing: 0, failed: 0 },
        duration_ms: 75_400,
        requested_by: { via: 'cli', user: 'alice', host: 'laptop' },
      },
      'fdi-provisioner: apply of s3://bucket/manifests/team/wave1.yaml rejected in 1 min 15 s — 0 tasks; the manifest has 2 problem(s); nothing was sent; requested by alice@laptop; report s3://bucket/reports/team/wave1/20261129T120000Z-abc123/',
    ],
    [
      'a destroy',
      {
        operation: 'destroy',
        status: 'succeeded',
        counts: { ...COUNTS, total: 3, created: 0, existing: 0, failed: 0, deleted: 2, absent: 1, foreign: 0 },
        requested_by: undefined,
      },
      'fdi-provisioner: destroy of s3://bucket/manifests/team/wave1.yaml succeeded in 12.3 s — 3 tasks: 2 deleted, 1 absent; report s3://bucket/reports/team/wave1/20261129T120000Z-abc123/',
    ],
  ])('text of %s', (_what, over, text) => {
    expect(runNotice(report(over), LOCATION).text).toBe(text);
  });

  it('a long reason is cut in the text, whole in reason', () => {
    const reason = 'x'.repeat(1000);
    const notice = runNotice(report({ status: 'aborted', reason }), LOCATION);
    expect(notice.reason).toBe(reason);
    expect(notice.text).toContain(`${'x'.repeat(299)}…`);
    expect(notice.text).not.toContain('x'.repeat(300));
  });
});

describe('noticeBody', () => {
  const notice: RunNotice = runNotice(report(), LOCATION);
  it.each([
    ['json', notice],
    ['feishu', { msg_type: 'text', content: { text: notice.text } }],
    ['dingtalk', { msgtype: 'text', text: { content: notice.text } }],
    ['wecom', { msgtype: 'text', text: { content: notice.text } }],
  ] as const)('%s', (format, body) => {
    expect(noticeBody(notice, format)).toEqual(body);
  });
});
