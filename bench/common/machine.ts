/** One line describing the machine a bench ran on, printed at the top of every bench. */
import os from 'node:os';

export function machineLine(): string {
  const cpu = os.cpus()[0]?.model.replace(/\s+/g, ' ').trim() ?? 'unknown CPU';
  return `node ${process.version}, ${os.availableParallelism()} CPUs (${cpu}), ${(os.totalmem() / 1024 ** 3).toFixed(1)} GB RAM, ${os.platform()} ${os.release()}`;
}

/** The 1-minute load average: other work on the machine skews every figure. */
export function loadLine(when: string): string {
  return `load average ${when}: ${os.loadavg()[0].toFixed(2)} (1 min) on ${os.availableParallelism()} CPUs`;
}

/** Prints the bench title, the machine and the settings in one block. */
export function printHeader(title: string, settings: Record<string, unknown>): void {
  const list = Object.entries(settings)
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' ');
  process.stdout.write(`## ${title}\n\n${machineLine()}\n${loadLine('at start')}\nsettings: ${list}\n`);
}
