/** One line describing the machine a bench ran on, printed at the top of every bench. */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SOURCES = ['lib', 'cli', 'emulator', 'handlers'];

/** Node version, CPUs, memory and OS. */
export function machineLine(): string {
  const cpu = os.cpus()[0]?.model.replace(/\s+/g, ' ').trim() ?? 'unknown CPU';
  return `node ${process.version}, ${os.availableParallelism()} CPUs (${cpu}), ${(os.totalmem() / 1024 ** 3).toFixed(1)} GB RAM, ${os.platform()} ${os.release()}`;
}

/** The 1-minute load average: other work on the machine skews every figure. */
export function loadLine(when: string): string {
  return `load average ${when}: ${os.loadavg()[0].toFixed(2)} (1 min) on ${os.availableParallelism()} CPUs`;
}

/** The commit measured, and whether the product's sources differ from it (the CLI runs dist/: build first). */
export function codeLine(): string {
  const git = (...args: string[]) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
  const head = git('rev-parse', '--short', 'HEAD');
  if (head.status !== 0) return 'commit unknown (no git)';
  const dirty = git('status', '--porcelain', '--', ...SOURCES).stdout.trim() !== '';
  return `commit ${head.stdout.trim()}${dirty ? ', with uncommitted changes to the product' : ''} (the CLI runs dist/: npm run build first)`;
}

/** Prints the bench title, the machine and the settings in one block. */
export function printHeader(title: string, settings: Record<string, unknown>): void {
  const list = Object.entries(settings)
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' ');
  process.stdout.write(`## ${title}\n\n${machineLine()}\n${codeLine()}\n${loadLine('at start')}\nsettings: ${list}\n`);
}
