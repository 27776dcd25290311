/**
 * The operator's policy through the handler on the local stack (docs/SECURITY.md), on both platforms:
 * a manifest under a prefix whose rule refuses its target, or its `on_exists: update`, is rejected with
 * nothing sent and a report naming the rule; the same manifest runs under a prefix that allows it; a
 * policy that cannot be read refuses every run. The reports name the uploader and the object version
 * the event gave.
 */
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../lib/logger.js';
import type { Report } from '../../../lib/report/types.js';
import { PLATFORMS, startLocalStack, type LocalStack } from '../../../local/stack.js';
import { asObsEvent } from '../../../local/functiongraph.js';
import { bulkManifest, tempDir } from '../../helpers/cli.js';
import { requestsAnswered } from '../../helpers/emulator.js';
import { getReport, listKeys, s3Event, upload } from '../../helpers/stack.js';

const POLICY_KEY = 'operator/fdi-policy.yaml';

const POLICY = `version: 1
rules:
  - prefix: manifests/team-a/
    projects: [local-project]
    instances: [local-instance]
    update: false
  - prefix: manifests/shared/
    projects: ["local-*"]
    instances: ["local-instance*"]
    update: true
`;

async function runUploaded(stack: LocalStack, key: string, text: string): Promise<Report> {
  await upload(stack, key, text);
  await stack.idle();
  const path = key.replace(/^manifests\//, '').replace(/\.ya?ml$/, '');
  return getReport(stack, `reports/${path}/latest.json`);
}

describe.each(PLATFORMS)('the operator policy through the %s handler', (platform) => {
  let stack: LocalStack;
  const logLines: string[] = [];
  beforeAll(async () => {
    stack = await startLocalStack({
      dataDir: await tempDir(`fdi-policy-${platform}-`),
      logger: createLogger({ level: 'info', destination: { write: (line: string) => void logLines.push(line) } }),
      platform,
      env: { FDI_POLICY_OBJECT: POLICY_KEY },
    });
    await upload(stack, POLICY_KEY, POLICY);
    await stack.idle();
  });
  afterAll(() => stack?.close());

  const outside = bulkManifest(4, { prefix: 'pol', instances: ['local-instance', 'local-instance-2'] });

  it('refuses a target outside the rule of manifests/team-a/, sending nothing, and names the rule', async () => {
    const before = requestsAnswered(stack.emulator);
    const report = await runUploaded(stack, 'manifests/team-a/wave.yaml', outside);
    expect(report.status).toBe('rejected');
    expect(requestsAnswered(stack.emulator)).toBe(before);
    expect(report.reason).toMatch(/operator's policy for manifests under "manifests\/team-a\/" refuses/);
    expect(report.policy).toEqual({ origin: `s3://${stack.bucket}/${POLICY_KEY}`, rule: 'manifests/team-a/' });
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]).toMatchObject({
      message: expect.stringMatching(
        /^task "pol-1-0001" targets instance local-instance-2, which rule "manifests\/team-a\/" \(rules\[0\], line 3 of s3:\/\/.*\) does not allow \(and 1 more task\(s\) with the same target\)$/,
      ),
      line: expect.any(Number),
      hint: expect.stringContaining('instances: local-instance'),
    });
    expect(report.counts).toMatchObject({ total: 4, not_attempted: 4 });
  });

  it('runs the same manifest under a prefix whose rule allows its targets', async () => {
    const report = await runUploaded(stack, 'manifests/shared/wave.yaml', outside);
    expect(report.status, report.reason).toBe('succeeded');
    expect(report.counts.created).toBe(4);
    expect(report.policy).toMatchObject({ rule: 'manifests/shared/' });
  });

  it('refuses on_exists: update where the rule forbids it, and allows it where the rule does', async () => {
    const text = bulkManifest(2, { prefix: 'upd', extra: 'options: { on_exists: update }' });
    const before = requestsAnswered(stack.emulator);
    const refused = await runUploaded(stack, 'manifests/team-a/update.yaml', text);
    expect(refused.status).toBe('rejected');
    expect(requestsAnswered(stack.emulator)).toBe(before);
    expect(refused.errors).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/^options\.on_exists is "update", which rule "manifests\/team-a\/" .* forbids/),
        line: 3,
      }),
    ]);
    const allowed = await runUploaded(stack, 'manifests/shared/update.yaml', text);
    expect(allowed.status, allowed.reason).toBe('succeeded');
  });

  it('refuses a manifest under a prefix no rule covers', async () => {
    const report = await runUploaded(stack, 'manifests/team-b/wave.yaml', bulkManifest(1, { prefix: 'nob' }));
    expect(report.status).toBe('rejected');
    expect(report.errors[0]!.message).toMatch(
      /no rule of the operator's policy .* covers the object key "manifests\/team-b\/wave\.yaml"; manifests are accepted only under "manifests\/team-a\/", "manifests\/shared\/"/,
    );
  });

  it('fails closed: a policy that cannot be parsed, or is gone, refuses every run with a clear reason', async () => {
    const text = bulkManifest(1, { prefix: 'closed' });
    try {
      await upload(stack, POLICY_KEY, 'version: 1\nrules:\n  - prefix: manifests/shared/\n    instances: [a\n');
      let before = requestsAnswered(stack.emulator);
      const broken = await runUploaded(stack, 'manifests/shared/closed.yaml', text);
      expect(broken.status).toBe('rejected');
      expect(broken.reason).toMatch(
        /^the policy s3:\/\/.*\/operator\/fdi-policy\.yaml cannot be parsed \(line \d+, column \d+\): .*; the run is refused until the operator's policy can be read, and nothing was sent$/,
      );
      expect(requestsAnswered(stack.emulator)).toBe(before);

      await upload(stack, POLICY_KEY, 'version: 1\nrules:\n  - prefix: manifests/shared/\n    instance: ["*"]\n');
      const invalid = await runUploaded(stack, 'manifests/shared/closed.yaml', `${text}\n# again\n`);
      expect(invalid.status).toBe('rejected');
      expect(invalid.reason).toMatch(/is not valid \(line 3\): rules\[0\]\.projects: is required/);

      await stack.s3.send(new DeleteObjectCommand({ Bucket: stack.bucket, Key: POLICY_KEY }));
      before = requestsAnswered(stack.emulator);
      const gone = await runUploaded(stack, 'manifests/shared/closed.yaml', `${text}\n# once more\n`);
      expect(gone.status).toBe('rejected');
      expect(gone.reason).toMatch(
        /^the policy s3:\/\/.*\/operator\/fdi-policy\.yaml \(FDI_POLICY_OBJECT\) does not exist/,
      );
      expect(requestsAnswered(stack.emulator)).toBe(before);
    } finally {
      await upload(stack, POLICY_KEY, POLICY);
      await stack.idle();
    }
  });

  it("records who uploaded the manifest and the object's version, in the report and latest.json", async () => {
    const key = 'manifests/shared/who.yaml';
    const report = await runUploaded(stack, key, bulkManifest(1, { prefix: 'who' }));
    expect(report.requested_by).toMatchObject({
      via: platform === 'aws' ? 's3-event' : 'obs-event',
      principal: expect.stringMatching(/^AWS:[0-9A-F]{21}$/), // s3rver's stand-in for the uploader
      source_ip: expect.stringMatching(/\d+\.\d+\.\d+\.\d+|::/),
      event_time: expect.any(String),
    });
    const folder = (await listKeys(stack, 'reports/shared/who/')).find((k) => k.endsWith('/report.json'))!;
    expect((await getReport(stack, folder)).requested_by).toEqual(report.requested_by);

    // A versioned bucket's event names the version; the stack's store has no versioning, so the event is made here.
    const event = s3Event(stack.bucket, key, '00000000000000000000000000000099');
    const record = event.Records[0]!;
    record.s3.object.versionId = '3HL4kqtJlcpXroDTDmJ-rmSpXd3dIbrHY';
    record.userIdentity.principalId = 'AWS:AIDAEXAMPLEUPLOADER';
    record.requestParameters.sourceIPAddress = '203.0.113.7';
    stack.deliver(platform === 'aws' ? event : asObsEvent(event));
    await stack.idle();
    const versioned = await getReport(stack, 'reports/shared/who/latest.json');
    expect(versioned.run_id).not.toBe(report.run_id);
    expect(versioned.manifest.version_id).toBe('3HL4kqtJlcpXroDTDmJ-rmSpXd3dIbrHY');
    expect(versioned.requested_by).toMatchObject({ principal: 'AWS:AIDAEXAMPLEUPLOADER', source_ip: '203.0.113.7' });

    // And the logs: every line of the run names the uploader and the version.
    const finished = logLines
      .map((l) => JSON.parse(l) as { msg?: string; run_id?: string; requested_by?: unknown; version_id?: string })
      .filter((l) => l.run_id === versioned.run_id);
    expect(finished.find((l) => l.msg === 'run finished')).toMatchObject({
      requested_by: { principal: 'AWS:AIDAEXAMPLEUPLOADER', source_ip: '203.0.113.7' },
      version_id: '3HL4kqtJlcpXroDTDmJ-rmSpXd3dIbrHY',
    });
  });
});
