/**
 * The command line as one bundle (issue 16, "Start fast"): `npm run build` runs tsc (type checking and
 * the dist/ layout the tests and the local stack import), then this script, which puts an esbuild
 * bundle of cli/main.ts in dist/cli/ in place of tsc's modules. dist/cli/main.js (the `bin`) stays
 * the entry point.
 *
 *   dist/cli/main.js                  the entry: commander, the program, process set-up (~50 KB)
 *   dist/cli/<command>-<hash>.js      one chunk per command, imported when that command runs
 *   dist/cli/chunk-<hash>.js          code shared by commands (the manifest library, the AWS SDK, …)
 *   dist/cli/*.js.map                 source maps, linked but not loaded unless node runs with
 *                                     --enable-source-maps
 *
 * ESM with code splitting keeps the program's `lazy(() => import(...))` commands lazy: `--version`
 * loads the entry alone and `validate` the manifest library, never the AWS SDK, got, pino or the
 * emulator. Dependencies that find files beside themselves at run time stay in node_modules
 * (EXTERNAL). Every file of the bundle is in one folder, and `import.meta.url` in a source file is
 * rewritten to the URL tsc's output of that file would have, so paths made relative to a module
 * (the package.json of `--version`, the examples of `demo`) resolve as they did before.
 *
 *   tsx scripts/build-cli.ts                      build (run by `npm run build`, after tsc)
 *   tsx scripts/build-cli.ts --metafile m.json    … and write esbuild's metafile (what is in each chunk)
 */
import { chmod, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Metafile, Plugin } from 'esbuild';
import { bundleForNode } from './node-bundle.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const ENTRY = path.join(ROOT, 'cli/main.ts');
export const OUT_DIR = path.join(ROOT, 'dist/cli');
/** The bundle's entry, which package.json's `bin` names. */
export const CLI_BUNDLE = path.join(OUT_DIR, 'main.js');
/**
 * Packages left to node_modules: s3rver (the local stack's S3 server, which loads its own files),
 * and pino with its transports (pino-pretty runs in a worker thread that loads files by path).
 */
export const EXTERNAL = ['s3rver', 'pino', 'pino-pretty', 'thread-stream'];
/** Packages no command may load before it needs them (checked in the metafile: not in the entry). */
export const LAZY_PACKAGES = ['@aws-sdk/', '@smithy/', 'got', 'pino', 's3rver', 'yaml', 'zod'];

/**
 * `import.meta.url` → the URL of the file tsc emits for this source (dist/<path>.js), computed from
 * the bundle file's own URL. Every output file is in one folder, so the relative path is the same
 * whichever chunk the code lands in.
 */
function importMetaUrlAsInTsc(outDir: string): Plugin {
  return {
    name: 'import-meta-url-as-in-tsc',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        const text = await readFile(args.path, 'utf8');
        if (!text.includes('import.meta.url')) return undefined;
        const tscOut = path.join(ROOT, 'dist', path.relative(ROOT, args.path)).replace(/\.ts$/, '.js');
        const rel = path.relative(outDir, tscOut).split(path.sep).join('/');
        return {
          contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, import.meta.url).href`),
          loader: 'ts',
        };
      });
    },
  };
}

/** Chunks of an earlier build are kept this long: a CLI started before a rebuild may still import them. */
const KEEP_OLD_CHUNKS_MS = 60 * 60_000;
const CHUNK = /-[A-Z0-9]{8}\.js(\.map)?$/;

/**
 * Moves a build into dist/cli, file by file (each rename is atomic), the chunks before the entry, so a
 * CLI starting meanwhile finds every chunk its entry names and one already running still finds the
 * chunks it imports later (their names hash their content). Removes what tsc emitted there and, after
 * an hour, the chunks of earlier builds. Concurrent builds each install a consistent set.
 */
async function install(work: string): Promise<void> {
  await mkdir(OUT_DIR, { recursive: true });
  const fresh = (await readdir(work)).sort((a, b) => Number(a.startsWith('main.')) - Number(b.startsWith('main.')));
  for (const f of fresh) await rename(path.join(work, f), path.join(OUT_DIR, f));
  await rm(work, { recursive: true, force: true });
  const now = Date.now();
  for (const name of await readdir(OUT_DIR)) {
    if (fresh.includes(name)) continue;
    const file = path.join(OUT_DIR, name);
    const age = now - (await stat(file).catch(() => ({ mtimeMs: 0 }))).mtimeMs;
    if (CHUNK.test(name) && age < KEEP_OLD_CHUNKS_MS) continue;
    await rm(file, { recursive: true, force: true });
  }
}

/**
 * Builds the bundle into a fresh folder, then installs it in dist/cli. With `outDir`, builds into that
 * folder instead (emptied first) and leaves dist/cli alone.
 */
export async function buildCli(
  options: { outDir?: string } = {},
): Promise<{ files: number; entryBytes: number; metafile: Metafile }> {
  const work = options.outDir ?? `${OUT_DIR}.build-${process.pid}`;
  await rm(work, { recursive: true, force: true });
  const result = await bundleForNode({
    entryPoints: { main: ENTRY },
    absWorkingDir: ROOT,
    outdir: work,
    entryNames: '[name]',
    chunkNames: '[name]-[hash]',
    splitting: true,
    format: 'esm',
    sourcemap: 'linked',
    external: EXTERNAL,
    // CommonJS dependencies bundled into ESM call require() for node's modules.
    banner: {
      js: "import{createRequire as __fdiCreateRequire}from'node:module';const require=__fdiCreateRequire(import.meta.url);",
    },
    plugins: [importMetaUrlAsInTsc(options.outDir ?? OUT_DIR)],
  });
  const entry = result.metafile.outputs[path.relative(ROOT, path.join(work, 'main.js')).split(path.sep).join('/')];
  if (!entry) throw new Error('the bundle has no main.js');
  const eager = [
    ...Object.keys(entry.inputs),
    ...entry.imports.filter((i) => i.kind === 'import-statement').map((i) => `node_modules/${i.path}`),
  ];
  const leaked = eager.filter((f) => LAZY_PACKAGES.some((p) => f.includes(`node_modules/${p}`)));
  if (leaked.length) throw new Error(`the CLI's entry loads what only some commands need: ${leaked.join(', ')}`);

  // Executable, as npm makes a bin when it installs or links the package: a rebuild keeps a global
  // install's `fdi-provision` (a link to this file) working.
  await chmod(path.join(work, 'main.js'), 0o755);
  const outputs = Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js'));
  const built = { files: outputs.length, entryBytes: entry.bytes, metafile: result.metafile };
  if (options.outDir) return built;
  await install(work);
  return built;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { files, entryBytes, metafile } = await buildCli();
  const at = process.argv.indexOf('--metafile');
  if (at > 0 && process.argv[at + 1]) await writeFile(process.argv[at + 1], JSON.stringify(metafile));
  process.stdout.write(
    `bundled ${path.relative(ROOT, ENTRY)} → ${path.relative(ROOT, CLI_BUNDLE)} (${(entryBytes / 1024).toFixed(0)} KB) + ${files - 1} lazy chunks\n`,
  );
}
