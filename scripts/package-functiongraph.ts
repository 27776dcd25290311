/**
 * `npm run package:functiongraph`: the Huawei Cloud FunctionGraph package, offline.
 *
 * handlers/functiongraph.ts is bundled by esbuild (its JS API) into one minified CommonJS file for
 * Node 20 and newer, and zipped (fflate) as `index.js` at the zip's root, so the function's handler is
 * `index.handler`. Dev- and local-only modules stay out (the same list as serverless.yml's exclude).
 * The source map is written beside the zip, not into it: nothing loads it at cold start, and a stack
 * trace from the function's logs can be mapped with it offline.
 *
 *   dist/functiongraph/fdi-provisioner.zip      index.js, package.json ({"type":"commonjs"})
 *   dist/functiongraph/index.js.map             the source map of index.js
 */
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { zipSync, type Zippable } from 'fflate';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const ENTRY = path.join(ROOT, 'handlers/functiongraph.ts');
export const OUT_DIR = path.join(ROOT, 'dist/functiongraph');
export const ZIP = path.join(OUT_DIR, 'fdi-provisioner.zip');
/** Modules of the local stack and the CLI that the function never loads (serverless.yml's exclude). */
export const EXCLUDED = ['s3rver', 'pino-pretty', 'cli-progress', 'commander'];
/** A fixed time for the zip's entries: the same sources give the same zip. */
const MTIME = new Date('2020-01-01T00:00:00Z');

export async function packageFunctionGraph(): Promise<{ zip: string; bytes: number; bundleBytes: number }> {
  const work = path.join(OUT_DIR, 'build');
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const result = await build({
    entryPoints: [ENTRY],
    outfile: path.join(work, 'index.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    keepNames: true,
    sourcemap: 'external',
    sourcesContent: false,
    legalComments: 'none',
    external: EXCLUDED,
    logLevel: 'warning',
    metafile: true,
  });
  for (const w of result.warnings) process.stderr.write(`esbuild: ${w.text}\n`);
  const bundled = Object.keys(result.metafile.inputs);
  const leaked = bundled.filter((f) => EXCLUDED.some((m) => f.includes(`node_modules/${m}/`)));
  if (leaked.length) throw new Error(`excluded modules were bundled: ${leaked.join(', ')}`);

  const code = await readFile(path.join(work, 'index.js'));
  const files: Zippable = {
    'index.js': [code, { level: 9, mtime: MTIME }],
    'package.json': [
      new TextEncoder().encode(`${JSON.stringify({ type: 'commonjs', main: 'index.js' })}\n`),
      { level: 9, mtime: MTIME },
    ],
  };
  await writeFile(ZIP, zipSync(files));
  await writeFile(path.join(OUT_DIR, 'index.js.map'), await readFile(path.join(work, 'index.js.map')));
  await rm(work, { recursive: true, force: true });
  return { zip: ZIP, bytes: (await stat(ZIP)).size, bundleBytes: code.length };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { zip, bytes, bundleBytes } = await packageFunctionGraph();
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(2)} MB`;
  process.stdout.write(
    `wrote ${path.relative(ROOT, zip)} (${mb(bytes)}; index.js ${mb(bundleBytes)}), handler index.handler\n`,
  );
}
