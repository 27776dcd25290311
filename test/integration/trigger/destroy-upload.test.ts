/**
 * A destroy through the upload trigger (docs/DESTROY.md), on both platforms: a manifest uploaded under
 * the destroy prefix deletes the tasks the same manifest created under the manifest prefix, and its
 * report lands beside theirs, marked as a destroy run; the operator's policy decides per prefix whether
 * destroy uploads may run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../lib/logger.js';
import { PLATFORMS, startLocalStack, type LocalStack } from '../../../local/stack.js';
import { bulkManifest, tempDir } from '../../helpers/cli.js';
import { requestsAnswered, routeCount } from '../../helpers/emulator.js';
import { getReport, listKeys, upload } from '../../helpers/stack.js';

const POLICY = `version: 1
rules:
  - { prefix: manifests/, projects: ["*"], instances: ["*"] }
  - { prefix: destroy/allowed/, projects: ["*"], instances: ["*"], destroy: true }
  - { prefix: destroy/denied/, projects: ["*"], instances: ["*"] }
`;

describe.each(PLATFORMS)('destroy uploads through the %s handler', (platform) => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({
      dataDir: await tempDir(`fdi-destroy-upload-${platform}-`),
      logger: silentLogger(),
      platform,
      env: { FDI_DESTROY_UPLOADS: 'true', FDI_POLICY: POLICY },
    });
  });
  afterAll(() => stack?.close());

  it('deletes what the same manifest created, reporting beside its applies as a destroy run', async () => {
    const text = bulkManifest(6, { prefix: 'wave', start: true });
    await upload(stack, 'manifests/allowed/wave.yaml', text);
    await stack.idle();
    const applied = await getReport(stack, 'reports/allowed/wave/latest.json');
    expect(applied).toMatchObject({ operation: 'apply', status: 'succeeded', counts: { created: 6 } });
    expect(stack.emulator.tasks().filter((t) => t.task_name.startsWith('wave-'))).toHaveLength(6);

    await upload(stack, 'destroy/allowed/wave.yaml', text);
    await stack.idle();
    const destroyed = await getReport(stack, 'reports/allowed/wave/latest.json');
    expect(destroyed.operation).toBe('destroy');
    expect(destroyed.status, destroyed.reason).toBe('succeeded');
    expect(destroyed.counts).toMatchObject({ total: 6, deleted: 6 });
    expect(destroyed.manifest.uri).toMatch(/\/destroy\/allowed\/wave\.yaml$/);
    expect(stack.emulator.tasks().filter((t) => t.task_name.startsWith('wave-'))).toHaveLength(0);
    // Both runs' folders, side by side.
    const folders = new Set(
      (await listKeys(stack, 'reports/allowed/wave/')).map((k) => k.split('/')[3]).filter((k) => k !== 'latest.json'),
    );
    expect(folders.size).toBe(2);
  });

  it('refuses a destroy under a prefix whose rule does not allow it, deleting nothing', async () => {
    const text = bulkManifest(2, { prefix: 'kept' });
    await upload(stack, 'manifests/denied/kept.yaml', text);
    await stack.idle();
    const deletes = routeCount(stack.emulator, 'DELETE /tasks/{task_id}');
    const before = requestsAnswered(stack.emulator);
    await upload(stack, 'destroy/denied/kept.yaml', text);
    await stack.idle();
    const refused = await getReport(stack, 'reports/denied/kept/latest.json');
    expect(refused.operation).toBe('destroy');
    expect(refused.status).toBe('rejected');
    expect(refused.errors[0]!.message).toMatch(/^rule "destroy\/denied\/" .* forbids destroy runs \(destroy: false\)/);
    expect(requestsAnswered(stack.emulator)).toBe(before);
    expect(routeCount(stack.emulator, 'DELETE /tasks/{task_id}')).toBe(deletes);
    expect(stack.emulator.tasks().filter((t) => t.task_name.startsWith('kept-'))).toHaveLength(2);
  });
});

describe('destroy uploads are off unless enabled', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ dataDir: await tempDir('fdi-destroy-off-'), logger: silentLogger() });
  });
  afterAll(() => stack?.close());

  it('an upload under destroy/ is ignored and deletes nothing', async () => {
    const text = bulkManifest(2, { prefix: 'off' });
    await upload(stack, 'manifests/off.yaml', text);
    await stack.idle();
    await upload(stack, 'destroy/off.yaml', text);
    await stack.idle();
    expect(stack.outcomes.at(-1)).toMatchObject({
      kind: 'ignored',
      key: 'destroy/off.yaml',
      reason: 'outside the manifest prefix "manifests/"',
    });
    expect(routeCount(stack.emulator, 'DELETE /tasks/{task_id}')).toBe(0);
    expect(stack.emulator.tasks().filter((t) => t.task_name.startsWith('off-'))).toHaveLength(2);
  });
});
