/**
 * A real report to open in a browser: `fdi-provision apply` (the built CLI) of `tasks` tasks against
 * the FDI emulator with faults, so that some tasks fail, requests are retried and throttled, and the
 * report has a timeline. With `markup`, a loopback proxy adds it to every error message FDI sends.
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { startEmulator, type EmulatorOptions } from '../../emulator/index.js';
import type { Report } from '../../lib/report/types.js';
import { bulkManifest, reportFolder, runCli, tempDir, writeManifest, type CliResult } from '../helpers/cli.js';
import { startHostileFdi } from './hostile-fdi.js';

export interface RealReportOptions {
  tasks: number;
  /** Emulator settings (faults, quota); the instances and their task quota are set for `tasks`. */
  emulator: EmulatorOptions;
  /** The CLI's environment on top of the emulator's address and token (FDI_RATE, FDI_MAX_ATTEMPTS …). */
  env?: Record<string, string>;
  markup?: string | undefined;
  /** The task names' prefix. */
  prefix?: string;
  /** Then destroy the manifest's tasks (`destroy --yes`, same faults) and read that run's report too. */
  destroy?: boolean;
}

/** A run's report folder and its report.json. */
export interface RunReport {
  runDir: string;
  report: Report;
}

export interface RealReport extends RunReport {
  cli: CliResult;
  /** The destroy's, when asked for. */
  destroyed?: (RunReport & { cli: CliResult }) | undefined;
  /** The temporary folder of manifest and reports. */
  dir: string;
  remove(): Promise<void>;
}

/** Instances of 1,000 tasks each (FDI's quota per instance). */
function instancesFor(tasks: number): string[] {
  return Array.from({ length: Math.max(1, Math.ceil(tasks / 1000)) }, (_, i) =>
    i === 0 ? 'local-instance' : `local-instance-${i + 1}`,
  );
}

/** Applies a `tasks`-task manifest through the CLI against a fresh emulator and reads the report. */
export async function realReport(options: RealReportOptions): Promise<RealReport> {
  const instances = instancesFor(options.tasks);
  const emu = await startEmulator({ instances, ...options.emulator });
  const proxy = options.markup ? await startHostileFdi(emu.url, options.markup) : undefined;
  const dir = await tempDir('fdi-report-html-');
  try {
    const manifest = await writeManifest(
      dir,
      'wave.yaml',
      bulkManifest(options.tasks, { instances, prefix: options.prefix ?? 'wave' }),
    );
    const reports = path.join(dir, 'reports');
    const env = { FDI_ENDPOINT: proxy?.url ?? emu.url, FDI_AUTH_TOKEN: 'local-token', ...options.env };
    const folder = reportFolder(reports, manifest);
    const run = async (args: string[]): Promise<RunReport & { cli: CliResult }> => {
      const cli = await runCli([...args, manifest, '--report', reports], { env, timeoutMs: 600_000 });
      const latest = await readFile(path.join(folder, 'latest.json'), 'utf8').catch(() => {
        throw new Error(`${args[0]} wrote no report (exit ${cli.code}):\n${cli.stderr.slice(-2000)}`);
      });
      const runDir = path.join(folder, (JSON.parse(latest) as Report).run_id);
      const report = JSON.parse(await readFile(path.join(runDir, 'report.json'), 'utf8')) as Report;
      return { runDir, report, cli };
    };
    const applied = await run(['apply']);
    // The destroy runs without the faults: at 45 % 503s a planning listing fails all its attempts
    // about one time in eleven, and a destroy that cannot list deletes nothing.
    if (options.destroy) emu.configure({ faults: {} });
    const destroyed = options.destroy ? await run(['destroy', '--yes']) : undefined;
    return { ...applied, destroyed, dir, remove: () => rm(dir, { recursive: true, force: true }) };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  } finally {
    await proxy?.close();
    await emu.close();
  }
}
