/**
 * `npm run package` builds the Lambda artifact offline (nodejs24.x, no secret in the function's
 * environment); the bundled handler from the zip imports with plain node, reads its FDI token from a
 * Parameter Store stand-in at cold start, and handles a sample S3 event against the local stack.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import AdmZip from 'adm-zip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../../local/stack.js';
import { silentLogger } from '../../../lib/logger.js';
import { ROOT, bulkManifest, cleanEnv, tempDir } from '../../helpers/cli.js';
import { getReport, upload } from '../../helpers/stack.js';
import { startSsmStandIn, type SsmStandIn } from '../deploy/ssm-standin.js';

const run = promisify(execFile);

describe('the packaged Lambda bundle', () => {
  let stack: LocalStack;
  let ssm: SsmStandIn;
  let unpacked: string;
  beforeAll(async () => {
    ssm = await startSsmStandIn({ '/fdi-provisioner/dev/auth-token': 'local-token' });
    await run('npm', ['run', 'package'], { cwd: ROOT, env: cleanEnv(), timeout: 180_000 });
    unpacked = await tempDir('fdi-bundle-');
    new AdmZip(path.join(ROOT, '.serverless/fdi-provisioner.zip')).extractAllTo(unpacked, true);
    const dataDir = await tempDir('fdi-bundle-stack-');
    await mkdir(dataDir, { recursive: true });
    stack = await startLocalStack({ dataDir, logger: silentLogger() });
  }, 240_000);
  afterAll(async () => {
    await stack?.close();
    await ssm?.close();
  });

  it('deploys on nodejs24.x with only parameter names in the environment', async () => {
    const template = JSON.parse(
      await readFile(path.join(ROOT, '.serverless/cloudformation-template-update-stack.json'), 'utf8'),
    ) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
    const fn = Object.values(template.Resources).find((r) => r.Type === 'AWS::Lambda::Function')!;
    expect(fn.Properties.Runtime).toBe('nodejs24.x');
    const env = (fn.Properties.Environment as { Variables: Record<string, string> }).Variables;
    const secretLooking = Object.keys(env).filter((k) => /SECRET|PASSWORD|TOKEN/.test(k));
    expect(secretLooking.length).toBeGreaterThan(0);
    expect(secretLooking.filter((k) => !k.endsWith('_PARAM'))).toEqual([]);
  });

  it('imports with node and provisions from a sample S3 event', async () => {
    // Outside the stack's own manifest prefix, so only the bundled handler acts on it.
    await upload(stack, 'incoming/bundle wave+1.yaml', bulkManifest(5, { prefix: 'bundle' }));
    await stack.idle();
    const event = {
      Records: [
        {
          eventSource: 'aws:s3',
          eventName: 'ObjectCreated:Put',
          s3: {
            bucket: { name: stack.bucket },
            object: { key: 'incoming/bundle+wave%2B1.yaml', size: 1, sequencer: '00AA' },
          },
        },
      ],
    };
    const script = `
      const { handler } = require(${JSON.stringify(path.join(unpacked, 'handlers/manifest-uploaded.cjs'))});
      handler(${JSON.stringify(event)}, { getRemainingTimeInMillis: () => 600000 })
        .then((o) => { console.log(JSON.stringify(o.map((x) => ({ kind: x.kind, status: x.report && x.report.status })))); })
        .catch((e) => { console.error(e.message); process.exit(1); });`;
    const { stdout } = await run(process.execPath, ['-e', script], {
      env: cleanEnv({
        ...stack.env,
        // The token comes from Parameter Store, as deployed.
        FDI_AUTH_TOKEN: '',
        FDI_AUTH_TOKEN_PARAM: '/fdi-provisioner/dev/auth-token',
        SSM_ENDPOINT: ssm.endpoint,
        MANIFEST_PREFIX: 'incoming/',
        AWS_ACCESS_KEY_ID: 'S3RVER',
        AWS_SECRET_ACCESS_KEY: 'S3RVER',
        LOG_LEVEL: 'error',
      }),
      timeout: 60_000,
    });
    expect(JSON.parse(stdout.trim().split('\n').pop()!)).toEqual([{ kind: 'finished', status: 'succeeded' }]);
    expect(stack.emulator.stats().tasksStored).toBe(5);
    expect(ssm.calls.map((c) => c.target)).toEqual(['AmazonSSM.GetParameters']);
    const latest = await getReport(stack, 'reports/bundle wave+1/latest.json');
    expect(latest.counts.created).toBe(5);
  });
});
