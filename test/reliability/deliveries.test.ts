/**
 * Duplicate and concurrent deliveries, and different manifests that name the same task. (The basic
 * duplicate-delivery and re-upload cases live in test/integration/trigger/delivery.test.ts.)
 *
 * Some cases call the handler directly, concurrently, with their own MANIFEST_PREFIX (`race/`), so the
 * local stack's own serialising event queue (which listens on `manifests/`) does not handle them.
 */
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator } from '../../emulator/index.js';
import { createHandler, type ManifestHandler } from '../../handlers/manifest-uploaded.js';
import { startLocalStack, type LocalStack } from '../../local/stack.js';
import { silentLogger } from '../../lib/logger.js';
import type { Report } from '../../lib/report/types.js';
import type { UploadOutcome } from '../../lib/trigger/run-upload.js';
import { buildTriggerDeps } from '../../lib/trigger/deps.js';
import {
  bulkManifest,
  latestLocalReport,
  overlappingManifest,
  ownNames,
  sharedNames,
  tempDir,
  writeManifest,
} from '../helpers/cli.js';
import { LAMBDA_CTX, getReport, s3Event, upload } from '../helpers/stack.js';
import { STACK_TRACE, expectExactlyOnce, expectReportAccountsForAll } from './helpers.js';
import { bulkNames, collect, spawnCli } from './process.js';

const CTX = LAMBDA_CTX;

/** For each shared name: exactly one report created it, the other did not. */
function expectOneCreatorPerSharedName(a: Report, b: Report, names: string[]): void {
  const statusIn = (r: Report) => new Map(r.tasks.map((t) => [t.name, t.status]));
  const sa = statusIn(a);
  const sb = statusIn(b);
  for (const n of names)
    expect(
      [sa.get(n), sb.get(n)].filter((s) => s === 'created'),
      n,
    ).toHaveLength(1);
}

describe('overlapping manifests and repeated deliveries (local stack, handler)', () => {
  let stack: LocalStack;
  let handler: ManifestHandler;
  beforeAll(async () => {
    stack = await startLocalStack({ dataDir: await tempDir('fdi-rel-deliveries-'), logger: silentLogger() });
    // Ten attempts: the 500s of the fault cases hit lookups and read-backs too.
    const env = {
      ...stack.env,
      MANIFEST_PREFIX: 'race/',
      REPORT_PREFIX: 'race-reports/',
      STATE_PREFIX: 'race-state/',
      FDI_MAX_ATTEMPTS: '10',
    };
    handler = createHandler(() => buildTriggerDeps(env, { logger: silentLogger(), s3: stack.s3 }));
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    stack.emulator.reset();
    stack.emulator.configure({ faults: {}, latencyMs: 0 });
  });

  /**
   * Two manifests sharing `shared` tasks, uploaded under race/ and handled at once: with latency, both
   * runs list the instance before either creates, so their creates of the shared names really race.
   * Both finish, and FDI ends with every name exactly once.
   */
  async function race(
    owners: [string, string],
    shared: number,
    own: number,
    onExists: 'skip' | 'fail' | 'update',
  ): Promise<[Report, Report]> {
    for (const o of owners) await upload(stack, `race/${o}.yaml`, overlappingManifest(o, shared, own, { onExists }));
    const outs = await Promise.all(
      owners.map((o) => handler(s3Event(stack.bucket, `race/${o}.yaml`, `${o.toUpperCase()}001`), CTX)),
    );
    expect(outs.map((out) => out[0].kind)).toEqual(['finished', 'finished']);
    expectExactlyOnce(stack.emulator, [...sharedNames(shared), ...owners.flatMap((o) => ownNames(o, own))]);
    const [a, b] = outs.map((out) => (out[0] as Extract<UploadOutcome, { kind: 'finished' }>).report);
    expectReportAccountsForAll(a, [...sharedNames(shared), ...ownNames(owners[0], own)]);
    expectReportAccountsForAll(b, [...sharedNames(shared), ...ownNames(owners[1], own)]);
    return [a, b];
  }

  it('uploaded together, on_exists skip: each task exists once; the later run reports the shared ones as existing', async () => {
    await Promise.all([
      upload(stack, 'manifests/skip/a.yaml', overlappingManifest('aa', 20, 5, { onExists: 'skip' })),
      upload(stack, 'manifests/skip/b.yaml', overlappingManifest('bb', 20, 5, { onExists: 'skip' })),
    ]);
    await stack.idle();
    const a = await getReport(stack, 'reports/skip/a/latest.json');
    const b = await getReport(stack, 'reports/skip/b/latest.json');
    const stats = stack.emulator.stats();
    expect(Object.values(stats.createsCommitted).every((n) => n === 1)).toBe(true);
    expect(Object.keys(stats.createsCommitted).sort()).toEqual(
      [...sharedNames(20), ...ownNames('aa', 5), ...ownNames('bb', 5)].sort(),
    );
    for (const [r, owner] of [
      [a, 'aa'],
      [b, 'bb'],
    ] as const) {
      expectReportAccountsForAll(r, [...sharedNames(20), ...ownNames(owner, 5)]);
      expect(r.status).toBe('succeeded');
    }
    expectOneCreatorPerSharedName(a, b, sharedNames(20));
    const later = [a, b].find((r) => r.tasks.some((t) => t.name === 'shared-0000' && t.status === 'existing'))!;
    expect(later.counts).toMatchObject({ existing: 20, created: 5 });
    // The existing task's ID is the one the other run created.
    const stored = new Map(stack.emulator.tasks().map((t) => [t.task_name, t.task_id]));
    for (const t of later.tasks) expect(t.task_id).toBe(stored.get(t.name));
  });

  it('uploaded together, on_exists fail: the later run is rejected naming the conflicting task and instance, and sends no create', async () => {
    await Promise.all([
      upload(stack, 'manifests/fail/a.yaml', overlappingManifest('aa', 3, 4, { onExists: 'fail' })),
      upload(stack, 'manifests/fail/b.yaml', overlappingManifest('bb', 3, 4, { onExists: 'fail' })),
    ]);
    await stack.idle();
    const reports = [
      await getReport(stack, 'reports/fail/a/latest.json'),
      await getReport(stack, 'reports/fail/b/latest.json'),
    ];
    const winner = reports.find((r) => r.status === 'succeeded')!;
    const loser = reports.find((r) => r.status !== 'succeeded')!;
    expect(winner?.counts).toMatchObject({ created: 7 });
    expect(loser?.status).toBe('rejected');
    expect(loser.reason).toMatch(
      /3 task\(s\) already exist and on_exists is "fail": "shared-0000", "shared-0001", "shared-0002"/,
    );
    const conflict = loser.tasks.find((t) => t.name === 'shared-0001')!;
    expect(conflict.error_code).toBe('CONFLICT');
    expect(conflict.error_msg).toMatch(
      /a task named "shared-0001" already exists in instance local-instance \(task [0-9a-f]+\) and on_exists is "fail"/,
    );
    // Nothing of the rejected manifest was created, not even its own tasks.
    const loserOwner = loser.tasks.find((t) => t.name.includes('-own-'))!.name.slice(0, 2);
    expect(
      Object.keys(stack.emulator.stats().createsCommitted).filter((n) => n.startsWith(`${loserOwner}-own-`)),
    ).toEqual([]);
    expect(Object.values(stack.emulator.stats().createsCommitted).every((n) => n === 1)).toBe(true);
    expect(stack.emulator.stats().tasksStored).toBe(7);
  });

  it('handled concurrently past planning (both plan "create"), on_exists skip: each shared task once, created by exactly one run', async () => {
    // Latency makes both runs list the instance before either creates, so their creates really race.
    stack.emulator.configure({ latencyMs: 200, jitterMs: 20 });
    const [a, b] = await race(['aa', 'bb'], 8, 3, 'skip');
    // The race happened: creates of a shared name were refused as duplicates, and resolved by name.
    expect(stack.emulator.stats().duplicateNameRejections).toBeGreaterThan(0);
    expectOneCreatorPerSharedName(a, b, sharedNames(8));
    for (const r of [a, b]) {
      expect(r.status).toBe('succeeded');
      expect(r.counts.failed).toBe(0);
    }
    expect(a.counts.existing + b.counts.existing).toBe(8);
  });

  it('handled concurrently past planning under 500s before and after commit: each shared task created by exactly one run; the other reads it back', async () => {
    // A 500 leaves a create in doubt; the name lookup then finds the task, but whose is it? The run reads
    // it back: its own definition means its own create, another (the other manifest's detail) means not.
    stack.emulator.configure({
      latencyMs: 200,
      jitterMs: 20,
      seed: 7,
      faults: { '500': 0.2, '500-after-commit': 0.1 },
    });
    const [a, b] = await race(['xa', 'xb'], 30, 3, 'skip');
    for (const r of [a, b]) {
      expect(r.status).toBe('succeeded');
      expect(r.counts.failed).toBe(0);
    }
    expectOneCreatorPerSharedName(a, b, sharedNames(30));
    // The reported creator is the one whose definition FDI holds.
    const stored = new Map(stack.emulator.tasks().map((t) => [t.task_name, t.task_detail]));
    for (const [r, owner] of [
      [a, 'XA'],
      [b, 'XB'],
    ] as const) {
      for (const t of r.tasks.filter((x) => x.name.startsWith('shared-') && x.status === 'created'))
        expect(stored.get(t.name), t.name).toContain(`"${owner}.T_`);
    }
    // The faults did leave creates in doubt that found the other run's task.
    expect([...a.tasks, ...b.tasks].filter((t) => t.note?.includes('different definition')).length).toBeGreaterThan(0);
  });

  it("handled concurrently past planning, on_exists update: a task the other run created meanwhile gets this manifest's definition", async () => {
    stack.emulator.configure({ latencyMs: 200, jitterMs: 20 });
    const [a, b] = await race(['ua', 'ub'], 8, 2, 'update');
    expect(stack.emulator.stats().duplicateNameRejections).toBeGreaterThan(0);
    const stored = new Map(stack.emulator.tasks().map((t) => [t.task_name, t.task_detail]));
    for (const name of sharedNames(8)) {
      const statuses = [a, b].map((r) => r.tasks.find((t) => t.name === name)!.status).sort();
      expect(statuses, name).toEqual(['created', 'updated']);
      // The run that updated it last holds it.
      const updater = [a, b].find((r) => r.tasks.find((t) => t.name === name)!.status === 'updated')!;
      expect(stored.get(name), name).toContain(`"${updater === a ? 'UA' : 'UB'}.T_`);
      expect(updater.tasks.find((t) => t.name === name)!.note).toMatch(
        /created by someone else after planning; updated to this manifest's definition/,
      );
    }
    for (const r of [a, b]) expect(r.status).toBe('succeeded');
  });

  it('handled concurrently past planning, on_exists fail: a task the other run created meanwhile is a conflict, not "existing"', async () => {
    stack.emulator.configure({ latencyMs: 200, jitterMs: 20 });
    const [a, b] = await race(['fa', 'fb'], 8, 2, 'fail');
    expect(stack.emulator.stats().duplicateNameRejections).toBeGreaterThan(0);
    const conflicts = [...a.tasks, ...b.tasks].filter((t) => t.error_code === 'CONFLICT');
    expect(conflicts.length).toBeGreaterThan(0);
    for (const t of conflicts) {
      expect(t.status).toBe('failed');
      expect(t.error_msg).toMatch(/was created by someone else after planning .* and on_exists is "fail"/);
    }
    expect([...a.tasks, ...b.tasks].filter((t) => t.name.startsWith('shared-') && t.status === 'existing')).toEqual([]);
  });

  it('the same upload delivered five times (three at once, two during the run) under ambiguous faults: one run, each name once', async () => {
    stack.emulator.configure({
      faults: { '500-after-commit': 0.1, reset: 0.05, '503': 0.05 },
      latencyMs: 5,
      jitterMs: 10,
    });
    await upload(stack, 'race/dup.yaml', bulkManifest(60, { prefix: 'dup5' }));
    const ev = s3Event(stack.bucket, 'race/dup.yaml', '00000000000000D5');
    const later = (ms: number) => new Promise((r) => setTimeout(r, ms)).then(() => handler(ev, CTX));
    const outs = (
      await Promise.all([handler(ev, CTX), handler(ev, CTX), handler(ev, CTX), later(400), later(900)])
    ).map((o) => o[0]);
    const finished = outs.filter((o): o is Extract<UploadOutcome, { kind: 'finished' }> => o.kind === 'finished');
    expect(outs.filter((o) => o.kind !== 'finished').every((o) => o.kind === 'duplicate')).toBe(true);
    expect(finished).toHaveLength(1);
    const names = bulkNames(60, 'dup5');
    const stats = stack.emulator.stats();
    expect(Object.values(stats.createsCommitted).every((n) => n === 1)).toBe(true);
    expect(Object.keys(stats.createsCommitted).sort()).toEqual(names);
    expectReportAccountsForAll(finished[0].report, names);
    expect(finished[0].report.counts.created).toBe(60);
  });
});

describe('two CLI processes applying different manifests that share tasks, at the same time', () => {
  it('each shared task is created once, by exactly one of them, under ambiguous faults; both succeed and account for every task', async () => {
    // With ambiguous faults: a run whose create is in doubt and then finds the name reads the task back;
    // the two manifests define the shared tasks differently, so it can tell whose create it was.
    const emu = await startEmulator({
      latencyMs: 10,
      jitterMs: 20,
      seed: 5,
      faults: { '500': 0.1, '500-after-commit': 0.05, reset: 0.05 },
    });
    try {
      const dir = await tempDir('fdi-rel-two-cli-');
      const ma = await writeManifest(dir, 'a.yaml', overlappingManifest('aa', 60, 10, { onExists: 'skip' }));
      const mb = await writeManifest(dir, 'b.yaml', overlappingManifest('bb', 60, 10, { onExists: 'skip' }));
      const reports = path.join(dir, 'reports');
      const env = {
        FDI_ENDPOINT: emu.url,
        FDI_AUTH_TOKEN: 'local-token',
        FDI_RATE: '300',
        FDI_CONCURRENCY: '8',
        FDI_TIMEOUT_MS: '2000',
        FDI_MAX_ATTEMPTS: '10',
      };
      const [ra, rb] = await Promise.all([
        collect(spawnCli(['apply', ma, '--report', reports], env), 60_000),
        collect(spawnCli(['apply', mb, '--report', reports], env), 60_000),
      ]);
      for (const r of [ra, rb]) {
        expect(r.stderr).not.toMatch(STACK_TRACE);
        expect(r.code, r.stderr).toBe(0);
      }
      const a = await latestLocalReport(reports, ma);
      const b = await latestLocalReport(reports, mb);
      const stats = emu.stats();
      expect(Object.values(stats.createsCommitted).every((n) => n === 1)).toBe(true);
      expect(stats.tasksStored).toBe(60 + 10 + 10);
      expectReportAccountsForAll(a, [...sharedNames(60), ...ownNames('aa', 10)]);
      expectReportAccountsForAll(b, [...sharedNames(60), ...ownNames('bb', 10)]);
      expectOneCreatorPerSharedName(a, b, sharedNames(60));
      expect(a.counts.existing + b.counts.existing).toBe(60);
    } finally {
      await emu.close();
    }
  });
});
