/**
 * `npm run package` builds the Lambda artifact offline (nodejs24.x, no secret in the function's
 * environment); the bundled handler from the zip imports with plain node, reads its FDI token from a
 * Parameter Store stand-in at cold start, and handles a sample S3 event against the local stack.
 *
 * The CLI is a bundle too (scripts/build-cli.ts, run by `npm run build`): dist/cli/main.js is its
 * entry, and a command loads only its own chunks — `validate` never the AWS SDK, got or pino.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import AdmZip from 'adm-zip';
import type { Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../../local/stack.js';
import { silentLogger } from '../../../lib/logger.js';
import { buildCli } from '../../../scripts/build-cli.js';
import { CLI, ROOT, bulkManifest, cleanEnv, runCli, tempDir } from '../../helpers/cli.js';
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

/**
 * Node's module hooks (module.register) record the URL of every module the CLI loads, one a line, in
 * the file named by FDI_TEST_LOADED: the files of the bundle and anything loaded from node_modules.
 */
const RECORD_HOOKS = `import { appendFileSync } from 'node:fs';
let file;
export function initialize(data) { file = data.file; }
export async function load(url, context, next) { appendFileSync(file, url + '\\n'); return next(url, context); }`;
const RECORD_PRELOAD = `import { register } from 'node:module';
register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(RECORD_HOOKS)}`)}, import.meta.url, { data: { file: process.env.FDI_TEST_LOADED } });`;

/** Packages that only the commands talking to FDI or storage, or the local stack, may load. */
const HEAVY = /node_modules\/(@aws-sdk|@smithy|got|pino|pino-pretty|thread-stream|s3rver|cli-progress)\//;

describe('the CLI bundle', () => {
  let out: string;
  let meta: Metafile;
  let preload: string;
  beforeAll(async () => {
    // Inside the repository, so that the packages left external resolve from its node_modules.
    out = path.join(ROOT, 'dist', `.cli-bundle-test-${process.pid}`);
    ({ metafile: meta } = await buildCli({ outDir: out }));
    preload = path.join(await tempDir('fdi-cli-bundle-'), 'record-loads.mjs');
    await writeFile(preload, RECORD_PRELOAD);
  }, 120_000);
  afterAll(() => rm(out, { recursive: true, force: true }));

  /** Runs the bundle in `out` with the hooks; the sources (metafile inputs) and packages it loaded. */
  async function loadedBy(args: string[]): Promise<{ code: number; stdout: string; inputs: string[]; urls: string[] }> {
    const file = path.join(path.dirname(preload), `loaded-${args[0]}.txt`);
    await appendFile(file, '');
    const argv = ['--import', pathToFileURL(preload).href, path.join(out, 'main.js'), ...args];
    const opts = { cwd: ROOT, env: cleanEnv({ FDI_TEST_LOADED: file }), timeout: 60_000 };
    const { code, stdout } = await run(process.execPath, argv, opts).then(
      (r) => ({ code: 0, stdout: r.stdout }),
      (err: { code?: number; stdout?: string }) => ({ code: err.code ?? -1, stdout: err.stdout ?? '' }),
    );
    const urls = (await readFile(file, 'utf8')).split('\n').filter((u) => u.startsWith('file:'));
    const outputs = urls
      .map((u) => fileURLToPath(u))
      .filter((f) => path.dirname(f) === out)
      .map((f) => path.relative(ROOT, f).split(path.sep).join('/'));
    for (const o of outputs) expect(meta.outputs[o], `${o} is a file of the build`).toBeDefined();
    const inputs = outputs.flatMap((o) => Object.keys(meta.outputs[o].inputs));
    return { code, stdout, inputs, urls };
  }

  it('is what npm run build put at the bin: dist/cli/main.js imports chunks, not the modules tsc emits', async () => {
    const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as {
      version: string;
      bin: Record<string, string>;
    };
    expect(path.join(ROOT, pkg.bin['fdi-provision'])).toBe(CLI);
    const entry = await readFile(CLI, 'utf8');
    expect(entry).toMatch(/from\s*"\.\/chunk-[\w-]+\.js"/);
    expect(entry).not.toMatch(/\.\/program\.js|\.\/commands\//);
    expect(existsSync(path.join(ROOT, 'dist/cli/program.js'))).toBe(false);
    const version = await runCli(['--version']);
    expect(version).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });

  it('--version loads the entry and the chunks it shares, none of the manifest library', async () => {
    const { code, stdout, inputs, urls } = await loadedBy(['--version']);
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(inputs).toContain('cli/program.ts');
    expect(inputs.filter((i) => /node_modules\/(yaml|zod|json-e)\/|lib\/manifest\//.test(i))).toEqual([]);
    expect([...inputs, ...urls].filter((i) => HEAVY.test(i))).toEqual([]);
  });

  it('validate of a small manifest loads the manifest library and no AWS SDK, got, pino or emulator', async () => {
    const { code, stdout, inputs, urls } = await loadedBy(['validate', 'manifests/examples/documented-example.yaml']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ok: 1 task in 1 instance/);
    expect(inputs).toContain('lib/manifest/compile.ts');
    expect(inputs.some((i) => i.includes('node_modules/yaml/'))).toBe(true);
    expect([...inputs, ...urls].filter((i) => HEAVY.test(i))).toEqual([]);
    expect(inputs.filter((i) => /^(emulator|local)\//.test(i) && !i.endsWith('/defaults.ts'))).toEqual([]);
  });

  it('the same evidence shows the heavy packages where a command uses them: plan loads got and pino', async () => {
    const all = Object.values(meta.outputs).flatMap((o) => Object.keys(o.inputs));
    expect(all.some((i) => i.includes('node_modules/@aws-sdk/client-s3/'))).toBe(true);
    const endpoint = ['--endpoint', 'http://127.0.0.1:9', '--token', 't', '--project-id', 'p', '--max-attempts', '1'];
    const { inputs, urls } = await loadedBy(['plan', 'manifests/examples/documented-example.yaml', ...endpoint]);
    expect(inputs.some((i) => i.includes('node_modules/got/'))).toBe(true);
    expect(urls.some((u) => u.includes('/node_modules/pino/'))).toBe(true);
  });
});

/**
 * The handlers as `npm run build` emits them (dist/handlers/, one module per file, so the hooks see
 * every module): loading one loads no lib/trigger, AWS SDK, got or pino (issue 16: they are imported
 * on the first invocation), and the SSM client only when a `<NAME>_PARAM` is set.
 */
describe('the handler modules load the pipeline on the first invocation, not at load', () => {
  let preload: string;
  beforeAll(async () => {
    preload = path.join(await tempDir('fdi-handler-loads-'), 'record-loads.mjs');
    await writeFile(preload, RECORD_PRELOAD);
  });

  const TRIGGER = /\/dist\/lib\/trigger\//;
  const SSM = /node_modules\/@aws-sdk\/client-ssm\//;

  /** Imports a built handler in a fresh node with the hooks (and, with `invoke`, calls it once with no records). */
  async function loadedBy(handler: string, invoke: string | undefined, env: Record<string, string> = {}) {
    const file = path.join(
      path.dirname(preload),
      `loaded-${handler}-${invoke ? 'invoked' : 'loaded'}-${Date.now()}.txt`,
    );
    await appendFile(file, '');
    const url = pathToFileURL(path.join(ROOT, 'dist/handlers', `${handler}.js`)).href;
    const script = `const { handler } = await import(${JSON.stringify(url)});
      ${invoke ? `const out = await handler(${invoke}); console.log(JSON.stringify(out));` : ''}`;
    const { stdout } = await run(
      process.execPath,
      ['--import', pathToFileURL(preload).href, '--input-type=module', '-e', script],
      { cwd: ROOT, env: cleanEnv({ FDI_TEST_LOADED: file, LOG_LEVEL: 'error', ...env }), timeout: 60_000 },
    );
    const urls = (await readFile(file, 'utf8')).split('\n').filter((u) => u.startsWith('file:'));
    return { urls, stdout };
  }

  const fdi = { FDI_ENDPOINT: 'http://127.0.0.1:9', FDI_AUTH_TOKEN: 't', FDI_PROJECT_ID: 'p' };
  const lambdaEvent = `{ Records: [] }, { getRemainingTimeInMillis: () => 600000 }`;
  const fgEvent = `{ Records: [] }, { getRemainingTimeInMilliSeconds: () => 600000 }`;

  for (const handler of ['manifest-uploaded', 'functiongraph']) {
    it(`${handler}: loading it imports no lib/trigger, AWS SDK, got or pino`, async () => {
      const { urls } = await loadedBy(handler, undefined, fdi);
      expect(urls.some((u) => u.endsWith(`/dist/handlers/${handler}.js`))).toBe(true);
      expect(urls.filter((u) => TRIGGER.test(u) || HEAVY.test(u))).toEqual([]);
    });
  }

  it('the same evidence shows them after a first invocation, without the SSM client when no _PARAM is set', async () => {
    const lambda = await loadedBy('manifest-uploaded', lambdaEvent, fdi);
    expect(lambda.stdout.trim()).toBe('[]');
    expect(lambda.urls.some((u) => TRIGGER.test(u))).toBe(true);
    expect(lambda.urls.some((u) => u.includes('/node_modules/@aws-sdk/client-s3/'))).toBe(true);
    expect(lambda.urls.filter((u) => SSM.test(u))).toEqual([]);
    const fg = await loadedBy('functiongraph', fgEvent, fdi);
    expect(fg.urls.some((u) => u.endsWith('/dist/lib/trigger/functiongraph.js'))).toBe(true);
  });

  it('a *_PARAM setting loads the SSM client (and a missing parameter fails the invocation clearly)', async () => {
    const env = { ...fdi, FDI_AUTH_TOKEN: '', FDI_AUTH_TOKEN_PARAM: '/missing', SSM_ENDPOINT: 'http://127.0.0.1:9' };
    const script = `${lambdaEvent}).catch((e) => ({ error: e.message })`;
    const { urls, stdout } = await loadedBy('manifest-uploaded', script, {
      ...env,
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'x',
      AWS_MAX_ATTEMPTS: '1',
    });
    expect(urls.some((u) => SSM.test(u))).toBe(true);
    expect((JSON.parse(stdout.trim()) as { error: string }).error).toMatch(/cannot read the FDI secrets from SSM/);
  });
});
