/**
 * Child processes of the reliability suites and the soak scripts (bench/soak-*.ts): the compiled CLI,
 * its peak memory, the latest report of a run. No vitest here, so the soak scripts can import it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Emulator } from '../../emulator/index.js';
import { CLI, ROOT, cleanEnv, tempDir } from '../helpers/cli.js';

export interface MeasuredRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time of the child, spawn to exit. */
  ms: number;
  /** Peak resident set size of the child in MiB (process.resourceUsage().maxRSS at exit). */
  peakRssMiB: number | undefined;
  /** CPU time (user + system) of the child in ms: unlike wall time, it hardly depends on the machine's load. */
  cpuMs: number | undefined;
}

/**
 * Preloaded into the child: writes `<peak RSS KiB> <CPU µs>` to the file named by FDI_TEST_RSS_FILE when
 * it exits, however it exits (process.exit included), without touching stdout or stderr.
 */
const RSS_PROBE =
  'data:text/javascript,' +
  encodeURIComponent(
    "import{writeFileSync}from'node:fs';process.on('exit',()=>{const f=process.env.FDI_TEST_RSS_FILE;const u=process.resourceUsage();if(f)writeFileSync(f,u.maxRSS+' '+(u.userCPUTime+u.systemCPUTime))});",
  );

/** Runs the compiled CLI like runCli, also measuring wall time and peak memory. */
export async function runCliMeasured(
  args: string[],
  options: { env?: Record<string, string | undefined>; input?: Buffer; timeoutMs?: number } = {},
): Promise<MeasuredRun> {
  const dir = await tempDir('fdi-rss-');
  const rssFile = path.join(dir, 'rss');
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', RSS_PROBE, CLI, ...args], {
    cwd: ROOT,
    env: cleanEnv({ ...options.env, FDI_TEST_RSS_FILE: rssFile }),
  });
  const out = await collect(child, options.timeoutMs ?? 60_000, options.input);
  const ms = performance.now() - started;
  const [kib, cpuUs] = (await readFile(rssFile, 'utf8').catch(() => 'NaN NaN')).split(' ').map(Number);
  await rm(dir, { recursive: true, force: true });
  return {
    ...out,
    ms,
    peakRssMiB: Number.isFinite(kib) ? kib / 1024 : undefined,
    cpuMs: Number.isFinite(cpuUs) ? cpuUs / 1000 : undefined,
  };
}

/** Waits for a child to end, collecting its output; SIGKILLs it after `timeoutMs`. */
export function collect(
  child: ChildProcess,
  timeoutMs: number,
  input?: Buffer,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => (stdout += d));
    child.stderr?.on('data', (d) => (stderr += d));
    if (input) child.stdin?.end(input);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Spawns `node dist/cli/main.js …` without waiting (the crash tests kill it). */
export function spawnCli(args: string[], env: Record<string, string | undefined>): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: cleanEnv(env) });
}

/** Every file under a folder, concatenated (for secret scans). Missing folder → ''. */
export async function allFilesText(dir: string): Promise<string> {
  let out = '';
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  for (const e of entries)
    if (e.isFile()) out += `\n--- ${e.name}\n${await readFile(path.join(e.parentPath, e.name), 'utf8')}`;
  return out;
}

/** The names bulkManifest(n, {prefix, instances}) produces. */
export function bulkNames(n: number, prefix: string, instances: readonly string[] = ['local-instance']): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}-${i % instances.length}-${String(i).padStart(4, '0')}`);
}

/** A stack trace line in CLI output. */
export const STACK_TRACE = /\n\s+at /;

/** Create requests the emulator has received so far, whatever their outcome. */
export function createAttemptsSoFar(emu: Emulator): number {
  return Object.values(emu.stats().createAttempts).reduce((a, b) => a + b, 0);
}

/** Resolves when the emulator has received more creates than `before`, or when the child has ended. */
export async function firstCreateArrived(emu: Emulator, before: number, ended: () => boolean): Promise<void> {
  while (!ended() && createAttemptsSoFar(emu) <= before) await new Promise((r) => setTimeout(r, 5));
}
