/**
 * Runs a child process and measures it from the outside: wall-clock time from spawn to exit and, when
 * asked, its peak resident set size (GNU `/usr/bin/time -f %M` when present, else a preloaded module
 * that reads `process.resourceUsage().maxRSS` at exit; the latter only works for node children).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CLI, ROOT, cleanEnv } from '../../test/helpers/cli.js';

export { CLI, ROOT };

const GNU_TIME = '/usr/bin/time';
const RSS_MARK = '__bench_max_rss_kb=';
/** Preload for node children when GNU time is missing: prints the peak RSS (KB) on stderr at exit. */
const RSS_PRELOAD = `data:text/javascript,${encodeURIComponent(
  `import { writeSync } from 'node:fs'; process.on('exit', () => writeSync(2, '\\n${RSS_MARK}' + process.resourceUsage().maxRSS + '\\n'));`,
)}`;

export interface ProcOptions {
  env?: Record<string, string | undefined>;
  cwd?: string | undefined;
  /** Measure peak RSS. */
  rss?: boolean | undefined;
  /** A file to feed on stdin (default: none). */
  stdinFile?: string | undefined;
  /** Keep stdout (default); false only counts its bytes (for outputs of many megabytes). */
  keepStdout?: boolean | undefined;
  timeoutMs?: number | undefined;
}

export interface ProcResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stdoutBytes: number;
  stderr: string;
  wallMs: number;
  /** Peak RSS in KB, when measured. */
  maxRssKb?: number | undefined;
  rssMethod?: 'gnu-time' | 'resourceUsage' | undefined;
}

/** How peak RSS is measured on this machine. */
export const rssMethod = (): 'gnu-time' | 'resourceUsage' => (existsSync(GNU_TIME) ? 'gnu-time' : 'resourceUsage');

/** An environment without the developer's FDI_/S3_/AWS_/LOG_ settings, plus `extra`. */
export const benchEnv = cleanEnv;

export async function runProcess(command: string, args: string[], options: ProcOptions = {}): Promise<ProcResult> {
  const method = options.rss ? rssMethod() : undefined;
  let tmp: string | undefined;
  let cmd = command;
  let argv = args;
  if (method === 'gnu-time') {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'bench-time-'));
    cmd = GNU_TIME;
    argv = ['-f', '%M', '-o', path.join(tmp, 'rss'), command, ...args];
  } else if (method === 'resourceUsage') {
    if (command !== process.execPath) throw new Error('peak RSS without GNU time works for node children only');
    argv = [`--import=${RSS_PRELOAD}`, ...args];
  }
  const stdin = options.stdinFile ? await open(options.stdinFile, 'r') : undefined;
  const started = performance.now();
  const child = spawn(cmd, argv, {
    cwd: options.cwd ?? ROOT,
    env: options.env ?? benchEnv(),
    stdio: [stdin ? stdin.fd : 'ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stdoutBytes = 0;
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => {
    stdoutBytes += d.length;
    if (options.keepStdout !== false) stdout += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined;
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
    (resolve, reject) => {
      child.on('error', reject);
      child.on('close', (c, s) => resolve({ code: c, signal: s }));
    },
  );
  const wallMs = performance.now() - started;
  if (timer) clearTimeout(timer);
  await stdin?.close();
  let maxRssKb: number | undefined;
  if (tmp) {
    const text = await readFile(path.join(tmp, 'rss'), 'utf8').catch(() => '');
    // GNU time writes "Command exited with non-zero status N" before the figure when the child fails.
    const last = text.trim().split('\n').pop();
    maxRssKb = last && /^\d+$/.test(last) ? Number(last) : undefined;
    await rm(tmp, { recursive: true, force: true });
  } else if (method === 'resourceUsage') {
    const at = stderr.lastIndexOf(RSS_MARK);
    if (at >= 0) {
      maxRssKb = Number.parseInt(stderr.slice(at + RSS_MARK.length), 10);
      stderr = stderr.slice(0, at).replace(/\n$/, '');
    }
  }
  return {
    code,
    signal,
    stdout,
    stdoutBytes,
    stderr,
    wallMs,
    ...(maxRssKb !== undefined ? { maxRssKb, rssMethod: method } : {}),
  };
}

/**
 * The CLI under test: `dist/cli/main.js`, or `BENCH_CLI` — the build of another commit, for a
 * before/after comparison on one machine (e.g. `git archive <commit> | tar -x -C /tmp/before`, then
 * `npm run build` there and `BENCH_CLI=/tmp/before/dist/cli/main.js`).
 */
export const CLI_UNDER_TEST = process.env.BENCH_CLI || CLI;

/** Runs the compiled CLI (`node dist/cli/main.js …`). */
export function runCli(args: string[], options: ProcOptions = {}): Promise<ProcResult> {
  return runProcess(process.execPath, [CLI_UNDER_TEST, ...args], options);
}

/** Fails loudly when `npm run build` has not produced the CLI. */
export function requireBuild(): void {
  if (!existsSync(CLI_UNDER_TEST))
    throw new Error(
      `${path.relative(process.cwd(), CLI_UNDER_TEST)} is missing: run "npm run build" (npm ci runs it) first`,
    );
}
