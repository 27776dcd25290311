/**
 * `npm run package:functiongraph` writes dist/functiongraph/fdi-provisioner.zip: `index.js` (CommonJS,
 * minified) at the root, exporting `handler` (FunctionGraph's `index.handler`), and `pipeline.js`, which
 * index.js requires on the first invocation; loadable with nothing else installed, without the
 * local-only modules, their source maps outside the zip.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { unzipSync } from 'fflate';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { encodeS3Key } from '../../../lib/trigger/s3-event.js';
import { functionGraphContext, type TemporaryCredentials } from '../../../local/functiongraph.js';
import { startLocalStack } from '../../../local/stack.js';
import { silentLogger } from '../../../lib/logger.js';
import { ROOT, bulkManifest, cleanEnv, tempDir } from '../../helpers/cli.js';
import { getReport, listKeys, getText, upload } from '../../helpers/stack.js';

const run = promisify(execFile);
const ZIP = path.join(ROOT, 'dist/functiongraph/fdi-provisioner.zip');

/** A FunctionGraph-like context: what the Node.js runtime passes as the handler's second argument. */
const context = {
  getRequestID: () => 'req-0001',
  getRemainingTimeInMilliSeconds: () => 60_000,
  getUserData: () => undefined,
  getFunctionName: () => 'fdi-provisioner',
  getLogger: () => ({ info: () => undefined, warn: () => undefined, error: () => undefined }),
};

/** Runs the unzipped handler once in a process of its own: argv holds the credentials, user data and event. */
const INVOKE_SCRIPT = `const { handler } = require('./index.js');
const [creds, env, event] = process.argv.slice(2).map((a) => JSON.parse(a));
const context = {
  getRequestID: () => 'req-child', getRemainingTimeInMilliSeconds: () => 600000, getToken: () => '',
  getSecurityAccessKey: () => creds.accessKey, getSecuritySecretKey: () => creds.secretKey,
  getSecurityToken: () => creds.securityToken, getUserData: (k) => env[k],
};
handler(event, context).then((o) => console.log('OUTCOMES ' + JSON.stringify(o.map((x) => x.kind))));
`;

describe('the FunctionGraph package', () => {
  let unpacked: string;
  let entries: Record<string, Uint8Array>;
  beforeAll(async () => {
    const { stdout } = await run('npm', ['run', 'package:functiongraph'], {
      cwd: ROOT,
      env: cleanEnv(),
      timeout: 120_000,
    });
    expect(stdout).toContain('handler index.handler');
    entries = unzipSync(new Uint8Array(await readFile(ZIP)));
    unpacked = await tempDir('fdi-fgs-zip-');
    for (const [name, data] of Object.entries(entries)) {
      await mkdir(path.dirname(path.join(unpacked, name)), { recursive: true });
      await writeFile(path.join(unpacked, name), data);
    }
  }, 180_000);

  it('holds index.js and the pipeline it requires on demand (CommonJS, minified) at its root and no source map; the maps are beside the zip', async () => {
    expect(Object.keys(entries).sort()).toEqual(['index.js', 'package.json', 'pipeline.js']);
    expect(JSON.parse(Buffer.from(entries['package.json']).toString('utf8'))).toMatchObject({ type: 'commonjs' });
    const entry = Buffer.from(entries['index.js']).toString('utf8');
    expect(entry).toContain('require("./pipeline.js")');
    expect(entry.length, 'index.js: the handler only').toBeLessThan(16_384);
    const pipeline = Buffer.from(entries['pipeline.js']).toString('utf8');
    expect(pipeline.length / pipeline.split('\n').length, 'minified: long lines').toBeGreaterThan(1000);
    for (const file of ['index.js', 'pipeline.js']) {
      const code = Buffer.from(entries[file]).toString('utf8');
      expect(code).not.toContain('sourceMappingURL');
      for (const m of ['s3rver', 'pino-pretty', 'cli-progress', 'commander']) {
        expect(code, m).not.toContain(`node_modules/${m}/`);
      }
      expect((await stat(path.join(ROOT, `dist/functiongraph/${file}.map`))).size).toBeGreaterThan(0);
    }
    expect((await stat(ZIP)).size).toBeLessThan(5 * 1024 * 1024);
  });

  it('require()s from a CommonJS context with nothing installed, exports handler, and takes a garbage event without throwing', async () => {
    vi.stubEnv('LOG_LEVEL', 'silent');
    try {
      const require = createRequire(path.join(unpacked, 'package.json'));
      const mod = require('./index.js') as { handler?: unknown };
      expect(typeof mod.handler).toBe('function');
      const handler = mod.handler as (event: unknown, ctx: typeof context) => Promise<{ kind: string }[]>;
      for (const garbage of [{ foo: 1 }, 'not json', null, { Records: [{ nothing: true }] }]) {
        const outcomes = await handler(garbage, context);
        expect(
          outcomes.every((o) => o.kind === 'ignored'),
          JSON.stringify(outcomes),
        ).toBe(true);
      }
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('runs each event form on the local stack as the runtime would: tasks once, reports at the usual keys, no credential printed', async () => {
    const creds: TemporaryCredentials = {
      accessKey: 'ZIPAKLEAKCHECK0002',
      secretKey: 'zipSkThatMustNeverAppearAnywhere77',
      securityToken: 'zipSecurityTokenThatMustNeverAppear-31',
    };
    const stack = await startLocalStack({
      dataDir: await tempDir('fdi-fgs-zip-stack-'),
      logger: silentLogger(),
      platform: 'functiongraph',
      temporaryCredentials: creds,
      deliverStoreEvents: false,
    });
    try {
      const require = createRequire(path.join(unpacked, 'package.json'));
      const { handler } = require('./index.js') as {
        handler: (event: unknown, ctx: unknown) => Promise<{ kind: string }[]>;
      };
      // The function's settings arrive as user data, as the Terraform configuration passes them.
      const userData = Object.fromEntries(
        Object.entries({ ...stack.env, LOG_LEVEL: 'debug' }).filter((e): e is [string, string] => e[1] !== undefined),
      );
      const invoke = (event: unknown) =>
        handler(
          event,
          functionGraphContext(creds, () => 600_000, userData),
        );
      const obs = (key: string, seq: string) => ({
        eventVersion: '3.0',
        eventSource: 'OBS',
        eventRegion: 'local-1',
        eventName: 'ObjectCreated:Put',
        obs: { bucket: { name: stack.bucket }, object: { key: encodeS3Key(key), eTag: seq, sequencer: seq } },
      });
      const forms: Array<[string, (key: string) => unknown]> = [
        ['OBS 3.0', (key) => ({ Records: [obs(key, 'Z1')] })],
        [
          'S3-shaped',
          (key) => ({
            Records: [
              {
                eventVersion: '2.0',
                eventSource: 'OBS',
                eventName: 'ObjectCreated:Put',
                s3: { bucket: { name: stack.bucket }, object: { key: encodeS3Key(key), eTag: 'Z2', sequencer: 'Z2' } },
              },
            ],
          }),
        ],
        [
          'CloudEvent',
          (key) => ({
            specversion: '1.0',
            id: 'z3',
            source: 'HC.OBS.DWR',
            type: 'OBS:DWR:ObjectCreated:PUT',
            data: obs(key, 'Z3'),
          }),
        ],
      ];
      for (const [i, [form, event]] of forms.entries()) {
        const key = `manifests/zip/${form} + ${i}.yaml`;
        await upload(stack, key, bulkManifest(3, { prefix: `zip${i}` }));
        const out = await invoke(event(key));
        expect(
          out.map((o) => o.kind),
          form,
        ).toEqual(['finished']);
        const latest = await getReport(stack, `reports/zip/${form} + ${i}/latest.json`);
        expect(latest.status, form).toBe('succeeded');
        expect(latest.counts.created, form).toBe(3);
      }
      const committed = Object.values(stack.emulator.stats().createsCommitted);
      expect(committed).toHaveLength(9);
      expect(committed.every((n) => n === 1)).toBe(true);
      const stored = await Promise.all(
        [...(await listKeys(stack, 'reports/')), ...(await listKeys(stack, 'state/'))].map((k) => getText(stack, k)),
      );
      // One more upload through the zip in a process of its own, as the runtime runs it, logging at debug:
      // what it prints, like what it stored, holds no credential.
      const key = 'manifests/zip/child.yaml';
      await upload(stack, key, bulkManifest(2, { prefix: 'zipchild' }));
      const script = path.join(unpacked, 'invoke.cjs');
      await writeFile(script, INVOKE_SCRIPT);
      const child = await run(
        process.execPath,
        [script, JSON.stringify(creds), JSON.stringify(userData), JSON.stringify({ Records: [obs(key, 'Z4')] })],
        { cwd: unpacked, env: cleanEnv(), timeout: 60_000 },
      );
      expect(child.stdout).toContain('OUTCOMES ["finished"]');
      // The product logs to stderr, one JSON line each.
      expect(child.stderr.split('\n').length, 'it logged at debug').toBeGreaterThan(5);
      for (const text of [child.stdout, child.stderr, ...stored.map((t) => t ?? '')])
        for (const secret of [creds.accessKey, creds.secretKey, creds.securityToken])
          expect(text).not.toContain(secret);
    } finally {
      await stack.close();
    }
  });
});
