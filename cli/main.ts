#!/usr/bin/env node
/**
 * `fdi-provision`: the process around the program (cli/program.ts): heap tuning, the process title,
 * SIGINT/SIGTERM as an abort signal, the streams and environment as the context, and the exit code.
 */
import type { CliContext } from './context.js';
import { tuneHeapForBatch } from '../lib/tune-heap.js';
import { reportFatal } from './fatal.js';
import { buildProgram } from './program.js';

tuneHeapForBatch();

async function main(): Promise<void> {
  // Hides the arguments (a --token among them) from ps and /proc/<pid>/cmdline on Linux.
  process.title = 'fdi-provision';
  // The AWS SDK warns on Node 20 about releases of 2027; users of this CLI cannot act on it.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const controller = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => controller.abort(new Error(`received ${sig}`)));
  }
  const ctx: CliContext = {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    signal: controller.signal,
  };
  try {
    await buildProgram(ctx).parseAsync(process.argv);
  } catch (err) {
    process.exitCode = reportFatal(err, ctx);
  }
}

await main();
