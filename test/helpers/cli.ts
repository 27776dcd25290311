/** Runs the compiled CLI (`dist/cli/main.js`, built by `npm test` before vitest) as a user would. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Report } from '../../lib/report/types.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = path.join(ROOT, 'dist/cli/main.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const TEST_STATE = path.join(os.tmpdir(), `fdi-test-state-${process.pid}`);

/** Environment without any FDI_/S3_/AWS_/LOG_ settings of the developer's shell. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !/^(FDI_|S3_|MANIFEST_|REPORT_|STATE_|AWS_|LOG_)/.test(k)) env[k] = v;
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  env.NO_COLOR = '1';
  // The records of the last applies (docs/DRIFT.md) go to a folder of this test process, not the
  // repository's ./.fdi-state; they are keyed by the emulator's port, so tests do not share them.
  // A test that gives FDI_STATE, even as undefined (the product's default), decides.
  if (!('FDI_STATE' in extra)) env.FDI_STATE = TEST_STATE;
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

export interface CliOptions {
  /** Added to cleanEnv(); a key given as undefined is left out. */
  env?: Record<string, string | undefined>;
  /** Default ROOT. */
  cwd?: string;
  /** SIGKILL after this long; default 120 s. */
  timeoutMs?: number;
  /** Written to the CLI's stdin, which is then closed. */
  input?: string | Buffer;
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(args, options).done;
}

/** Starts the CLI and hands back the child (to signal it) and its result. */
export function startCli(args: string[], options: CliOptions = {}): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? ROOT, env: cleanEnv(options.env) });
  const done = new Promise<CliResult>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    if (options.input !== undefined) child.stdin.end(options.input);
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  return { child, done };
}

/** A fresh temporary folder. */
export function tempDir(prefix = 'fdi-test-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

/** Writes a manifest into a temporary folder and returns its path. */
export async function writeManifest(dir: string, name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

/** A manifest of `n` REALTIME tasks named `<prefix>-0000…`, optionally spread over instances. */
export function bulkManifest(
  n: number,
  options: { prefix?: string; instances?: string[]; extra?: string; start?: boolean } = {},
): string {
  const prefix = options.prefix ?? 'bulk';
  const ids = Array.from({ length: n }, (_, i) => String(i).padStart(4, '0'));
  const instances = options.instances ?? ['local-instance'];
  return [
    'version: 1',
    'target: { project_id: local-project }',
    options.extra ?? '',
    'templates:',
    '  t:',
    '    task_type: REALTIME',
    '    source_datasource: 30969b205e8f4392a25fb321112d1753',
    '    target_datasource: { name: oracle-cdc }',
    '    detail:',
    '      targetSelectedDatasource: { targetTable: "CDC.T_${n}" }',
    ...(options.start ? ['    start: true'] : []),
    'tasks:',
    ...instances.map((inst, k) =>
      [
        `  - name: "${prefix}-${k}-\${n}"`,
        '    template: t',
        `    target: { instance_id: ${inst} }`,
        `    matrix: { n: [${ids
          .filter((_, i) => i % instances.length === k)
          .map((x) => `"${x}"`)
          .join(', ')}] }`,
      ].join('\n'),
    ),
    '',
  ].join('\n');
}

/**
 * A manifest of `shared` tasks named `<prefix>shared-NNNN`, which every owner's manifest names too (each
 * with its own detail, so FDI shows whose definition it holds), and `own` tasks `<prefix><owner>-own-NNNN`.
 */
export function overlappingManifest(
  owner: string,
  shared: number,
  own: number,
  options: { onExists?: 'skip' | 'fail' | 'update'; prefix?: string } = {},
): string {
  const ids = (n: number) => Array.from({ length: n }, (_, i) => `"${String(i).padStart(4, '0')}"`).join(', ');
  const prefix = options.prefix ?? '';
  return [
    'version: 1',
    'target: { project_id: local-project, instance_id: local-instance }',
    ...(options.onExists ? [`options: { on_exists: ${options.onExists} }`] : []),
    'templates:',
    '  t:',
    '    task_type: REALTIME',
    '    source_datasource: 30969b205e8f4392a25fb321112d1753',
    '    target_datasource: { name: oracle-cdc }',
    `    detail: { targetSelectedDatasource: { targetTable: "${owner.toUpperCase()}.T_\${n}" } }`,
    'tasks:',
    `  - { name: "${prefix}shared-\${n}", template: t, matrix: { n: [${ids(shared)}] } }`,
    `  - { name: "${prefix}${owner}-own-\${n}", template: t, matrix: { n: [${ids(own)}] } }`,
    '',
  ].join('\n');
}

/** The shared names of overlappingManifest. */
export const sharedNames = (n: number, prefix = ''): string[] =>
  Array.from({ length: n }, (_, i) => `${prefix}shared-${String(i).padStart(4, '0')}`);
/** An owner's own names of overlappingManifest. */
export const ownNames = (owner: string, n: number, prefix = ''): string[] =>
  Array.from({ length: n }, (_, i) => `${prefix}${owner}-own-${String(i).padStart(4, '0')}`);

/**
 * Where the CLI (run from ROOT) writes the reports of a local manifest under `reportDir`: the
 * manifest's path from ROOT, or its absolute path without the root for one outside ROOT
 * (docs/ARCHITECTURE.md, "Storage layout").
 */
export function reportFolder(reportDir: string, manifestFile: string): string {
  const rel = path.relative(ROOT, path.resolve(ROOT, manifestFile));
  const inside = rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  const key = (inside ? rel : path.resolve(manifestFile).replace(/^[\\/]+/, '')).replace(/\.ya?ml$/i, '');
  return path.join(reportDir, key);
}

/** The `latest.json` report of a local manifest applied by the CLI with `--report reportDir`. */
export async function latestLocalReport(reportDir: string, manifestFile: string): Promise<Report> {
  return JSON.parse(await readFile(path.join(reportFolder(reportDir, manifestFile), 'latest.json'), 'utf8')) as Report;
}

/** The head of a small offline manifest: a target and a REALTIME template `t`, up to `tasks:` (tasks follow). */
export const TEMPLATE_HEAD = `version: 1
target: { project_id: p, instance_id: i }
templates:
  t:
    task_type: REALTIME
    source_datasource: s1
    target_datasource: s2
    detail: { x: 1 }
tasks:
`;
