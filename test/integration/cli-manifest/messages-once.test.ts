/**
 * Every message once (#11.11): at the log level a terminal gets (warn), what the command prints is not
 * printed again by the log; and the local stack's routine events (records it ignores) are debug, not
 * info, so a run does not bury its own lines in noise.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index.js';
import { createLogger } from '../../../lib/logger.js';
import { startLocalStack } from '../../../local/stack.js';
import { bulkManifest, runCli, tempDir, writeManifest } from '../../helpers/cli.js';
import { getReport, upload } from '../../helpers/stack.js';

const count = (text: string, part: string) => text.split(part).length - 1;

describe('each message once', () => {
  let emu: Emulator;
  let dir: string;
  beforeAll(async () => {
    emu = await startEmulator({});
    dir = await tempDir('fdi-once-');
  });
  afterAll(() => emu.close());

  const env = () => ({ FDI_ENDPOINT: emu.url, FDI_AUTH_TOKEN: 'local-token', LOG_LEVEL: 'warn' });
  const broken =
    'version: 1\ntarget: { project_id: local-project, instance_id: local-instance }\ntasks:\n  - name: a\n    task_tpe: REALTIME\n';

  it.each(['plan', 'apply'])('%s of an invalid manifest: the reason and each problem once', async (command) => {
    const m = await writeManifest(dir, `broken-${command}.yaml`, broken);
    const res = await runCli([command, m, ...(command === 'apply' ? ['--report', dir] : [])], { env: env() });
    expect(res.code).toBe(2);
    expect(count(res.stderr, 'nothing was sent')).toBe(1);
    expect(count(res.stderr, 'task_tpe')).toBe(1);
  });

  it('apply stopped by refused credentials: the reason once', async () => {
    const m = await writeManifest(dir, 'refused.yaml', bulkManifest(3, { prefix: 'refused' }));
    const res = await runCli(['apply', m, '--report', dir], {
      env: { ...env(), FDI_AUTH_TOKEN: 'wrong', FDI_INSTANCE_ID: 'local-instance' },
    });
    expect(res.code).toBe(3);
    expect(count(res.stderr, 'authentication failed')).toBe(1);
  });

  it('the local stack logs the records it ignores at debug, not info', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    const logger = createLogger({ level: 'info', destination: sink as never });
    const stack = await startLocalStack({ dataDir: await tempDir('fdi-once-stack-'), logger });
    try {
      await upload(stack, 'manifests/quiet.yaml', bulkManifest(2, { prefix: 'quiet' }));
      await stack.idle();
      expect((await getReport(stack, 'reports/quiet/latest.json')).status).toBe('succeeded');
      // Writing the report and the run's state raised events the trigger ignored.
      expect(stack.outcomes.filter((o) => o.kind === 'ignored').length).toBeGreaterThan(0);
      expect(lines.filter((l) => l.includes('ignored S3 record'))).toEqual([]);
    } finally {
      await stack.close();
    }
  });
});
