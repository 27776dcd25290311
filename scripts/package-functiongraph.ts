/**
 * `npm run package:functiongraph`: the Huawei Cloud FunctionGraph package, offline.
 *
 * handlers/functiongraph.ts is bundled by esbuild (its JS API) into minified CommonJS for Node 20 and
 * newer, and zipped (fflate) as `index.js` at the zip's root, so the function's handler is
 * `index.handler`. Dev- and local-only modules stay out (the same list as serverless.yml's exclude).
 * What the handler imports on its first invocation (lib/trigger/functiongraph.ts, the logger, and with
 * them the AWS SDK, got, pino) is a second file, `pipeline.js`, that index.js `require`s then: loading
 * index.js reads and compiles 2 KB, and the pipeline is parsed once, when a run needs it (issue 16,
 * docs/PERFORMANCE.md "Start-up"). The source maps are written beside the zip, not into it: nothing
 * loads them at cold start, and a stack trace from the function's logs can be mapped with them offline.
 *
 *   dist/functiongraph/fdi-provisioner.zip      index.js, pipeline.js, package.json ({"type":"commonjs"})
 *   dist/functiongraph/index.js.map             the source maps of index.js and pipeline.js
 *   dist/functiongraph/pipeline.js.map
 */
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';
import { zipSync, type Zippable } from 'fflate';
import { bundleForNode } from './node-bundle.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const ENTRY = path.join(ROOT, 'handlers/functiongraph.ts');
export const OUT_DIR = path.join(ROOT, 'dist/functiongraph');
export const ZIP = path.join(OUT_DIR, 'fdi-provisioner.zip');
/** Modules of the local stack and the CLI that the function never loads (serverless.yml's exclude). */
export const EXCLUDED = ['s3rver', 'pino-pretty', 'cli-progress', 'commander'];
/** The modules handlers/functiongraph.ts imports on its first invocation: pipeline.js in the package. */
export const PIPELINE_MODULES = ['lib/trigger/functiongraph.ts', 'lib/logger.ts'];
/** The bundle files in the zip (beside package.json), each with its source map beside the zip. */
export const BUNDLE_FILES = ['index.js', 'pipeline.js'];

/**
 * The handler's `import('../lib/trigger/functiongraph.js')` and `import('../lib/logger.js')` become
 * `require('./pipeline.js')` (esbuild turns a dynamic import into a require when told that the target
 * has none); the `pipeline` entry re-exports both modules.
 */
const pipelineFile: Plugin = {
  name: 'pipeline-file',
  setup(b) {
    const wanted = new Set(PIPELINE_MODULES.map((m) => `../${m.replace(/\.ts$/, '.js')}`));
    b.onResolve({ filter: /^\.\.\/lib\// }, (args) =>
      args.kind === 'dynamic-import' && args.importer === ENTRY && wanted.has(args.path)
        ? { path: './pipeline.js', external: true }
        : undefined,
    );
    b.onResolve({ filter: /^fdi-pipeline$/ }, () => ({ path: 'pipeline', namespace: 'fdi-pipeline' }));
    b.onLoad({ filter: /.*/, namespace: 'fdi-pipeline' }, () => ({
      contents: PIPELINE_MODULES.map((m) => `export * from './${m}';`).join('\n'),
      resolveDir: ROOT,
      loader: 'ts',
    }));
  },
};

/** A fixed time for the zip's entries: the same sources give the same zip. */
const MTIME = new Date('2020-01-01T00:00:00Z');

export async function packageFunctionGraph(): Promise<{ zip: string; bytes: number; bundleBytes: number }> {
  const work = path.join(OUT_DIR, 'build');
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const result = await bundleForNode({
    entryPoints: { index: ENTRY, pipeline: 'fdi-pipeline' },
    outdir: work,
    format: 'cjs',
    sourcemap: 'external',
    external: EXCLUDED,
    supported: { 'dynamic-import': false },
    plugins: [pipelineFile],
  });
  const bundled = Object.keys(result.metafile.inputs);
  const leaked = bundled.filter((f) => EXCLUDED.some((m) => f.includes(`node_modules/${m}/`)));
  if (leaked.length) throw new Error(`excluded modules were bundled: ${leaked.join(', ')}`);

  const entry = await readFile(path.join(work, 'index.js'));
  if (!entry.includes('require("./pipeline.js")') || entry.length > 16_384) {
    throw new Error('index.js does not load pipeline.js on demand (or bundles more than the handler)');
  }
  const files: Zippable = {};
  let bundleBytes = 0;
  for (const f of BUNDLE_FILES) {
    const code = await readFile(path.join(work, f));
    bundleBytes += code.length;
    files[f] = [code, { level: 9, mtime: MTIME }];
  }
  Object.assign(files, {
    'package.json': [
      new TextEncoder().encode(`${JSON.stringify({ type: 'commonjs', main: 'index.js' })}\n`),
      { level: 9, mtime: MTIME },
    ],
  });
  await writeFile(ZIP, zipSync(files));
  for (const f of BUNDLE_FILES) {
    await writeFile(path.join(OUT_DIR, `${f}.map`), await readFile(path.join(work, `${f}.map`)));
  }
  await rm(work, { recursive: true, force: true });
  return { zip: ZIP, bytes: (await stat(ZIP)).size, bundleBytes };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { zip, bytes, bundleBytes } = await packageFunctionGraph();
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(2)} MB`;
  process.stdout.write(
    `wrote ${path.relative(ROOT, zip)} (${mb(bytes)}; index.js + pipeline.js ${mb(bundleBytes)}), handler index.handler\n`,
  );
}
