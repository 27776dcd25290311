/**
 * Taking a wave back (docs/DESTROY.md), through the CLI against the emulator with every fault kind:
 * 300 tasks applied with `start: true` are destroyed, each deleted exactly once (the running ones
 * stopped first); a second destroy finds them all absent and sends no DELETE; a task of a manifest's
 * name with another definition survives unless --force; without a terminal and without --yes nothing
 * is sent, and on a terminal (a pty) the command asks.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../../lib/report/types.js';
import {
  bulkManifest,
  CLI,
  cleanEnv,
  latestLocalReport,
  reportFolder,
  ROOT,
  runCli,
  writeManifest,
} from '../../helpers/cli.js';
import { editTask, requestsAnswered, routeCount, useEmulator } from '../../helpers/emulator.js';

const N = 300;
const INSTANCES = ['local-instance', 'local-instance-2'];
const FAULTS = {
  '500': 0.04,
  '500-after-commit': 0.05,
  '429': 0.03,
  '502': 0.02,
  '503': 0.02,
  '504': 0.02,
  reset: 0.03,
  hang: 0.01,
} as const;

describe('destroy: a wave taken back', () => {
  const fx = useEmulator(
    'fdi-destroy-',
    { instances: INSTANCES, seed: 5, hangMs: 1500, latencyMs: 1, jitterMs: 2 },
    { FDI_TIMEOUT_MS: '400', FDI_RATE: '500', FDI_CONCURRENCY: '16', FDI_MAX_ATTEMPTS: '12' },
  );
  const reports = () => path.join(fx.dir, 'reports');
  const state = () => path.join(fx.dir, 'state');
  const cli = (args: string[], file: string) =>
    runCli([...args, file, '--report', reports(), '--state', state()], { env: fx.env });

  it('deletes every task exactly once under faults (running ones stopped first); a second destroy sends no DELETE', async () => {
    const { emu } = fx;
    const file = await writeManifest(fx.dir, 'wave.yaml', bulkManifest(N, { instances: INSTANCES, start: true }));
    const applied = await cli(['apply'], file);
    expect(applied.code, applied.stderr).toBe(0);
    expect(emu.tasks().filter((t) => t.status === 'running')).toHaveLength(N);

    emu.configure({ faults: FAULTS });
    const destroyed = await cli(['destroy', '--yes'], file);
    emu.configure({ faults: {} });
    expect(destroyed.stderr).not.toMatch(/\n\s+at /);
    expect(destroyed.code, destroyed.stderr).toBe(0);
    const stats = emu.stats();
    for (const kind of ['500', '500-after-commit', 'reset', 'hang'])
      expect(stats.faultsInjected[kind] ?? 0, `${kind}: ${JSON.stringify(stats.faultsInjected)}`).toBeGreaterThan(0);
    // Every task gone, each by exactly one committed DELETE, each stopped before.
    expect(emu.tasks()).toHaveLength(0);
    expect(Object.keys(stats.deletesCommitted)).toHaveLength(N);
    expect(Object.values(stats.deletesCommitted).every((n) => n === 1)).toBe(true);
    expect(routeCount(emu, 'POST /batch-operation/tasks')).toBeGreaterThanOrEqual(N / 10);

    const report = await latestLocalReport(reports(), file);
    expect(report.operation).toBe('destroy');
    expect(report.status).toBe('succeeded');
    expect(report.counts).toMatchObject({ total: N, deleted: N, absent: 0, foreign: 0, failed: 0 });
    expect(report.tasks.every((t) => t.status === 'deleted' && t.before?.task_id === t.task_id)).toBe(true);
    // Some deletes were in doubt and confirmed by a lookup, never repeated blindly.
    expect(report.tasks.some((t) => /after (500|ECONNRESET|timeout|reset)/i.test(t.note ?? ''))).toBe(true);
    const summary = await readFile(path.join(reportFolder(reports(), file), report.run_id, 'summary.md'), 'utf8');
    expect(summary).toMatch(/^# Destroy run .*: succeeded/);
    expect(summary).toContain(`${N} tasks were deleted by this run`);

    const deletesBefore = routeCount(emu, 'DELETE /tasks/{task_id}');
    const again = await cli(['destroy', '--yes'], file);
    expect(again.code, again.stderr).toBe(0);
    expect(routeCount(emu, 'DELETE /tasks/{task_id}')).toBe(deletesBefore);
    const second = await latestLocalReport(reports(), file);
    expect(second.counts).toMatchObject({ total: N, absent: N, deleted: 0 });
  });

  it('leaves a same-named task with another definition alone (foreign) unless --force', async () => {
    const { emu } = fx;
    const file = await writeManifest(fx.dir, 'mine.yaml', bulkManifest(3, { prefix: 'mine' }));
    expect((await cli(['apply'], file)).code).toBe(0);
    // Someone edits one of them in the console: another target table.
    await new Promise((r) => setTimeout(r, 30));
    const theirs = emu.tasks().find((t) => t.task_name === 'mine-0-0001')!;
    expect(await editTask(emu, theirs, { targetSelectedDatasource: { targetTable: 'SOMEONE.ELSE' } })).toBe(200);

    const plan = await runCli(['plan', '--destroy', file, '--state', state()], { env: fx.env });
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/mine-0-0001\s+local-instance\s+foreign/);
    expect(plan.stdout).toMatch(/mine-0-0000\s+local-instance\s+delete/);

    const kept = await cli(['destroy', '--yes'], file);
    expect(kept.code).toBe(1); // the wave is not wholly out: partial
    const report: Report = await latestLocalReport(reports(), file);
    expect(report.counts).toMatchObject({ deleted: 2, foreign: 1 });
    expect(report.tasks.find((t) => t.name === 'mine-0-0001')).toMatchObject({
      status: 'foreign',
      task_id: theirs.task_id,
      note: expect.stringMatching(/changed in FDI since this product applied it; left alone \(--force deletes it\)/),
    });
    expect(
      emu
        .tasks()
        .filter((t) => t.task_name.startsWith('mine-'))
        .map((t) => t.task_name),
    ).toEqual(['mine-0-0001']);

    const forced = await cli(['destroy', '--yes', '--force'], file);
    expect(forced.code, forced.stderr).toBe(0);
    expect(emu.tasks().filter((t) => t.task_name.startsWith('mine-'))).toHaveLength(0);
  });

  it('without a terminal and without --yes it sends nothing and exits 2; on a terminal it asks', async () => {
    const { emu } = fx;
    const file = await writeManifest(fx.dir, 'ask.yaml', bulkManifest(2, { prefix: 'ask' }));
    expect((await cli(['apply'], file)).code).toBe(0);
    const before = requestsAnswered(emu);
    const refused = await cli(['destroy'], file);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('without a terminal to ask on, it runs only with --yes; nothing was sent');
    expect(requestsAnswered(emu)).toBe(before);

    // On a pseudo-terminal (script(1)): the plan, then the question; "no" deletes nothing.
    const declined = await onTerminal(['destroy', file, '--report', reports(), '--state', state()], 'no\n', fx.env);
    expect(declined.output).toMatch(/ask-0-0000\s+local-instance\s+delete/);
    expect(declined.output).toContain('Delete 2 task(s)? Only "yes" deletes them:');
    expect(declined.output).toContain('destroy cancelled; nothing was deleted');
    expect(declined.code).toBe(2);
    expect(emu.tasks().filter((t) => t.task_name.startsWith('ask-'))).toHaveLength(2);

    const accepted = await onTerminal(['destroy', file, '--report', reports(), '--state', state()], 'yes\n', fx.env);
    expect(accepted.code, accepted.output).toBe(0);
    expect(emu.tasks().filter((t) => t.task_name.startsWith('ask-'))).toHaveLength(0);
  });
});

/** Runs the CLI on a pseudo-terminal through script(1), typing `input` once it asks. */
function onTerminal(
  args: string[],
  input: string,
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('script', ['-qefc', command, '/dev/null'], { cwd: ROOT, env: cleanEnv(env) });
  let output = '';
  let typed = false;
  child.stdout.on('data', (d: Buffer) => {
    output += d.toString();
    if (!typed && output.includes('Only "yes" deletes them')) {
      typed = true;
      child.stdin.write(input);
    }
  });
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
