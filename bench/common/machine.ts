/** One line describing the machine a bench ran on, printed at the top of every bench. */
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import os from 'node:os';
import { ROOT } from '../../test/helpers/cli.js';

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

const git = (...args: string[]) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
const headCommit = (): string | undefined => {
  const head = git('rev-parse', '--short', 'HEAD');
  return head.status === 0 ? head.stdout.trim() : undefined;
};
/** When dist/ was last built (tsc --incremental touches its build info on every build that emits). */
const builtAt = (): number | undefined => {
  try {
    return statSync(new URL('../../dist/.tsbuildinfo', import.meta.url)).mtimeMs;
  } catch {
    return undefined;
  }
};
const atStart = { commit: headCommit(), built: builtAt() };

/** The commit measured, and whether the product's sources differ from it (the CLI runs dist/: build first). */
export function codeLine(): string {
  if (!atStart.commit) return 'commit unknown (no git)';
  const dirty = git('status', '--porcelain', '--', ...SOURCES).stdout.trim() !== '';
  return `commit ${atStart.commit}${dirty ? ', with uncommitted changes to the product' : ''} (the CLI runs dist/: npm run build first)`;
}

/** The last lines of a bench: the load, and a warning when the commit or dist/ changed during the run. */
export function endLines(): string {
  const lines = [loadLine('at end')];
  const commit = headCommit();
  if (commit !== atStart.commit) lines.push(`WARNING: HEAD moved from ${atStart.commit} to ${commit} during the run`);
  if (builtAt() !== atStart.built)
    lines.push('WARNING: dist/ was rebuilt during the run: the figures may mix two builds');
  return lines.join('\n');
}

/** Prints the bench title, the machine and the settings in one block. */
export function printHeader(title: string, settings: Record<string, unknown>): void {
  const list = Object.entries(settings)
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' ');
  process.stdout.write(`## ${title}\n\n${machineLine()}\n${codeLine()}\n${loadLine('at start')}\nsettings: ${list}\n`);
}
