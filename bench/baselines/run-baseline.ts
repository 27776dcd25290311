/**
 * Runs one baseline client (a separate process) over the exact request bodies the product would send:
 * the naive node scripts of naive-client.ts, or `xargs -P 8 curl --retry 5` over one file per body.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createUrl, type CreateCall } from '../common/manifests.js';
import { ROOT, benchEnv, runProcess } from '../common/proc.js';

export type BaselineKind = 'sequential' | 'promise-all' | 'xargs-curl';

export interface BaselineOutcome {
  wallMs: number;
  /** Time measured inside the client (from its first request to its last answer); xargs: = wall. */
  runMs: number;
  /** Tasks the client believes it created / failed. */
  reportedOk: number;
  reportedFailed: number;
  /** Failures whose last answer was "name already exists". */
  reportedNameExists: number;
  failedBy: Record<string, number>;
}

const TOKEN = 'local-token';
/** How many curls xargs runs at once. */
export const XARGS_PARALLEL = 8;
export const CURL_RETRIES = 5;

/** True when curl and xargs can be run. */
export function haveCurl(): boolean {
  return ['curl', 'xargs'].every((cmd) => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0);
}

export async function runBaseline(kind: BaselineKind, calls: CreateCall[], endpoint: string): Promise<BaselineOutcome> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `bench-${kind}-`));
  try {
    return kind === 'xargs-curl' ? await xargsCurl(dir, calls, endpoint) : await naive(kind, dir, calls, endpoint);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function naive(
  kind: 'sequential' | 'promise-all',
  dir: string,
  calls: CreateCall[],
  endpoint: string,
): Promise<BaselineOutcome> {
  const file = path.join(dir, 'requests.jsonl');
  await writeFile(
    file,
    calls.map((c) => JSON.stringify({ url: createUrl(endpoint, c.instance), body: c.body })).join('\n'),
  );
  const script = path.join(ROOT, 'bench/baselines/naive-client.ts');
  const proc = await runProcess(process.execPath, ['--import', 'tsx', script, kind, file, TOKEN], { env: benchEnv() });
  if (proc.code !== 0) throw new Error(`${kind} baseline failed (exit ${proc.code}): ${proc.stderr.slice(-2000)}`);
  const out = JSON.parse(proc.stdout.trim()) as {
    elapsedMs: number;
    ok: number;
    failed: number;
    failedBy: Record<string, number>;
    nameExists: number;
  };
  return {
    wallMs: proc.wallMs,
    runMs: out.elapsedMs,
    reportedOk: out.ok,
    reportedFailed: out.failed,
    reportedNameExists: out.nameExists,
    failedBy: out.failedBy,
  };
}

/** `xargs -P 8 -n 5 curl -s -w '%{http_code}\n' --retry 5 -H … ` with lines `--data-binary @body -o answer URL`. */
async function xargsCurl(dir: string, calls: CreateCall[], endpoint: string): Promise<BaselineOutcome> {
  const bodies = path.join(dir, 'bodies');
  const answers = path.join(dir, 'answers');
  await mkdir(bodies);
  await mkdir(answers);
  const lines: string[] = [];
  for (const [i, c] of calls.entries()) {
    const id = String(i).padStart(6, '0');
    await writeFile(path.join(bodies, `${id}.json`), c.body);
    // -o to a real file: curl 7.x cannot truncate /dev/null before a retry and gives up ("Failed to truncate file").
    lines.push(
      `--data-binary @${path.join(bodies, `${id}.json`)} -o ${path.join(answers, `${id}.out`)} ${createUrl(endpoint, c.instance)}`,
    );
  }
  const list = path.join(dir, 'list.txt');
  await writeFile(list, `${lines.join('\n')}\n`);
  const args = [
    '-P',
    String(XARGS_PARALLEL),
    '-n',
    '5',
    'curl',
    '-s',
    '-w',
    '%{http_code}\\n',
    '--retry',
    String(CURL_RETRIES),
    '-H',
    `X-Auth-Token: ${TOKEN}`,
    '-H',
    'Content-Type: application/json;charset=UTF-8',
  ];
  const proc = await runProcess('xargs', args, { env: benchEnv(), stdinFile: list });
  const codes = proc.stdout.split('\n').filter(Boolean);
  const failedBy: Record<string, number> = {};
  for (const c of codes) if (c !== '200') failedBy[c] = (failedBy[c] ?? 0) + 1;
  // A curl that died without printing a code (e.g. connection refused) is a failure too.
  const silent = calls.length - codes.length;
  if (silent > 0) failedBy.none = silent;
  let nameExists = 0;
  for (const f of await readdir(answers)) {
    if ((await readFile(path.join(answers, f), 'utf8')).includes('already exists')) nameExists += 1;
  }
  const ok = codes.filter((c) => c === '200').length;
  return {
    wallMs: proc.wallMs,
    runMs: proc.wallMs,
    reportedOk: ok,
    reportedFailed: calls.length - ok,
    reportedNameExists: nameExists,
    failedBy,
  };
}
