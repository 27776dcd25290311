/**
 * What the CLI bundle (build-cli.ts) and the FunctionGraph package (package-functiongraph.ts) build
 * alike: one esbuild run for Node 20, minified, error classes keeping their names (messages and
 * checks use err.name), source maps without the sources, no legal comments, a metafile for the
 * scripts' checks, and esbuild's warnings on stderr.
 */
import { build, type BuildOptions } from 'esbuild';

export async function bundleForNode(options: BuildOptions & { format: 'esm' | 'cjs' }) {
  const result = await build({
    bundle: true,
    platform: 'node',
    target: 'node20',
    minify: true,
    keepNames: true,
    sourcesContent: false,
    legalComments: 'none',
    logLevel: 'warning',
    ...options,
    metafile: true,
  });
  for (const w of result.warnings) process.stderr.write(`esbuild: ${w.text}\n`);
  return result;
}
