/** Runs `fdi-provision apply` (the compiled CLI, a separate process) against an emulator and reads its report. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { benchEnv, runCli, type ProcResult } from './proc.js';

export interface ClientSettings {
  rate: number;
  /** Undefined: the product's default. */
  concurrency?: number;
  maxAttempts?: number;
  timeoutMs?: number;
  /** --burst: the burst the gateway accepts (FDI_BURST). */
  burst?: number;
}

/** The parts of report.json the benches read. */
export interface ApplyReport {
  status: string;
  duration_ms: number;
  counts: Record<string, number>;
  stats: { requests: number; retries: number; throttled: number; effective_rate?: number };
}

export interface ApplyRun {
  proc: ProcResult;
  report: ApplyReport;
}

/** Writes the manifest to a temporary folder and applies it; the report goes to the same folder. */
export async function applyManifest(
  manifestText: string,
  endpoint: string,
  client: ClientSettings,
  options: {
    rss?: boolean | undefined;
    /** NODE_OPTIONS of the CLI process, e.g. --max-old-space-size=128. */ nodeOptions?: string | undefined;
  } = {},
): Promise<ApplyRun> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-apply-'));
  try {
    const file = path.join(dir, 'manifest.yaml');
    await writeFile(file, manifestText);
    const args = [
      'apply',
      file,
      '--rate',
      String(client.rate),
      '--report',
      path.join(dir, 'reports'),
      '--json',
      '--quiet',
    ];
    if (client.concurrency !== undefined) args.push('--concurrency', String(client.concurrency));
    if (client.maxAttempts !== undefined) args.push('--max-attempts', String(client.maxAttempts));
    if (client.timeoutMs !== undefined) args.push('--timeout-ms', String(client.timeoutMs));
    if (client.burst !== undefined) args.push('--burst', String(client.burst));
    const proc = await runCli(args, {
      env: benchEnv({ FDI_ENDPOINT: endpoint, FDI_AUTH_TOKEN: 'local-token', NODE_OPTIONS: options.nodeOptions }),
      rss: options.rss,
    });
    const line = proc.stdout.trim().split('\n').pop() ?? '';
    let report: ApplyReport;
    try {
      report = JSON.parse(line) as ApplyReport;
    } catch {
      throw new Error(`apply printed no report (exit ${proc.code}):\n${proc.stderr.slice(-2000)}`);
    }
    return { proc, report };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Describes the client flags in a table cell. */
export function describeClient(c: ClientSettings): string {
  return [
    `--rate ${c.rate}`,
    c.concurrency !== undefined ? `--concurrency ${c.concurrency}` : '',
    c.maxAttempts !== undefined ? `--max-attempts ${c.maxAttempts}` : '',
    c.burst !== undefined ? `--burst ${c.burst}` : '',
  ]
    .filter(Boolean)
    .join(' ');
}
