/**
 * `npm run package:functiongraph` writes dist/functiongraph/fdi-provisioner.zip: `index.js` (CommonJS,
 * minified) at the root, exporting `handler` (FunctionGraph's `index.handler`), loadable with nothing
 * else installed, without the local-only modules, its source map outside the zip.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { unzipSync } from 'fflate';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ROOT, cleanEnv, tempDir } from '../../helpers/cli.js';

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

  it('holds index.js (CommonJS, minified) at its root and no source map; the map is beside the zip', async () => {
    expect(Object.keys(entries).sort()).toEqual(['index.js', 'package.json']);
    expect(JSON.parse(Buffer.from(entries['package.json']).toString('utf8'))).toMatchObject({ type: 'commonjs' });
    const code = Buffer.from(entries['index.js']).toString('utf8');
    expect(code.length / code.split('\n').length, 'minified: long lines').toBeGreaterThan(1000);
    expect(code).not.toContain('sourceMappingURL');
    for (const m of ['s3rver', 'pino-pretty', 'cli-progress', 'commander']) {
      expect(code, m).not.toContain(`node_modules/${m}/`);
    }
    expect((await stat(path.join(ROOT, 'dist/functiongraph/index.js.map'))).size).toBeGreaterThan(0);
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
});
