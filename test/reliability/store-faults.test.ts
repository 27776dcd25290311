/**
 * The store fails too (docs/RELIABILITY.md, "The store fails too"): the handler's S3 client talks to
 * s3rver through a proxy that answers `503 SlowDown`, 500, resets connections, never answers, or
 * commits a write and then answers 500. Each kind alone, then all together: the manifest is read,
 * the report and the state are written, every name is created once, and a run reports success only
 * with its report stored. A run whose report cannot be stored fails loudly (the handler throws, so
 * the platform delivers the event again) and the next delivery, once the store is back, finishes it
 * with one complete report.
 */
import { describe, expect, it } from 'vitest';
import type { RecordOutcome } from '../../lib/trigger/handle-event.js';
import { bulkManifest } from '../helpers/cli.js';
import { S3_OPERATIONS, type S3FaultKind, type S3FaultRates } from '../helpers/s3-fault-proxy.js';
import { expectExactlyOnce, expectReportAccountsForAll } from './helpers.js';
import { bulkNames } from './process.js';
import {
  soakStore,
  sequencerOf,
  startFaultyStoreStack,
  storedRun,
  type FaultyStoreOptions,
  type FaultyStoreStack,
} from './store-stack.js';

/** A stack of the test's own (the cases run concurrently), closed when the test ends. */
async function withStack(options: FaultyStoreOptions, test: (stack: FaultyStoreStack) => Promise<void>): Promise<void> {
  const stack = await startFaultyStoreStack(options);
  try {
    await test(stack);
  } finally {
    await stack.close();
  }
}

const N = 20;
const REPORT_FILES = ['report.json', 'summary.md', 'tasks.csv'];
/** Short pauses between the tries of a report write, and a short silence before a hung request is given up. */
const FAST = { persistDelaysMs: [100, 300, 600], resilience: { requestTimeoutMs: 400, connectionTimeoutMs: 1000 } };

const everyOp = (rates: Partial<Record<S3FaultKind, number>>): S3FaultRates =>
  Object.fromEntries(S3_OPERATIONS.map((op) => [op, rates]));

interface Case {
  label: string;
  /** Manifests uploaded (and handled) at once. */
  runs: number;
  rates: Partial<Record<S3FaultKind, number>>;
  seed: number;
}

const SINGLE: Case[] = [
  { label: '503 SlowDown', runs: 3, rates: { '503': 0.3 }, seed: 11 },
  { label: '500 InternalError', runs: 3, rates: { '500': 0.3 }, seed: 12 },
  { label: 'reset before forwarding', runs: 3, rates: { reset: 0.3 }, seed: 13 },
  { label: 'reset after s3rver answered', runs: 3, rates: { 'reset-after': 0.3 }, seed: 14 },
  { label: 'timeout (no answer)', runs: 3, rates: { timeout: 0.15 }, seed: 15 },
  { label: '500 after the commit (ambiguous)', runs: 3, rates: { '500-after': 0.3 }, seed: 16 },
];
const MIXED: Case = {
  label: 'all kinds together',
  runs: 8,
  rates: { '503': 0.08, '500': 0.06, reset: 0.05, 'reset-after': 0.05, timeout: 0.03, '500-after': 0.05 },
  seed: 4343,
};

const finishedOf = (out: RecordOutcome[] | Error) =>
  out instanceof Error ? undefined : out.find((o) => o.kind === 'finished');

/** The stored run is whole: one run folder with every report file, latest.json and finished.json naming it. */
async function expectOneCompleteReport(stack: FaultyStoreStack, path: string, seq: string, names: string[]) {
  const stored = await storedRun(stack, path, `s-${seq}`);
  expect([...stored.runs.keys()], 'run folders').toHaveLength(1);
  const [runId, files] = [...stored.runs.entries()][0];
  expect(files).toEqual(expect.arrayContaining(REPORT_FILES));
  expect(stored.latest?.run_id).toBe(runId);
  expect(stored.latest?.status).toBe('succeeded');
  expect(stored.finished).toMatchObject({ run_id: runId, status: 'succeeded', report: `reports/${path}/${runId}` });
  const report = JSON.parse((await stack.text(`reports/${path}/${runId}/report.json`))!) as NonNullable<
    typeof stored.latest
  >;
  expectReportAccountsForAll(report, names);
  return report;
}

describe.concurrent('the store fails too (handler through a faulty S3 proxy)', () => {
  it.each([...SINGLE, MIXED])('$label on every operation: read, written, every name once', async (c) => {
    await withStack({ ...FAST, faults: { seed: c.seed, rates: everyOp(c.rates) } }, async (stack) => {
      const tag = `sf${c.seed}`;
      const result = await soakStore(stack, { runs: c.runs, tasks: N, tag });
      expect(result).toMatchObject({
        runs: c.runs,
        unfinished: 0,
        duplicates: 0,
        missingTasks: 0,
        missingReports: 0,
        successWithoutReport: 0,
      });
      // Every kind of the case was injected, on reads and on writes.
      for (const kind of Object.keys(c.rates) as S3FaultKind[])
        expect(stack.proxy.totalFaults(kind), `${kind} injected`).toBeGreaterThan(0);
      const sum = (byKind: Partial<Record<S3FaultKind, number>>) => Object.values(byKind).reduce((a, b) => a + b, 0);
      expect(sum(stack.proxy.faults.put), 'put faults').toBeGreaterThan(0);
      expect(sum(stack.proxy.faults.get), 'get faults').toBeGreaterThan(0);

      const all = Array.from({ length: c.runs }, (_, i) => bulkNames(N, `${tag}-${i}`));
      expectExactlyOnce(stack.emulator, all.flat());
      for (let i = 0; i < c.runs; i++) {
        const report = await expectOneCompleteReport(stack, `${tag}-${i}`, sequencerOf(tag, i), all[i]);
        expect(report.counts.created + report.counts.existing).toBe(N);
      }
      // Most runs finish first time; none needs more than the platform's two retries.
      expect(result.firstTime).toBeGreaterThan(0);
    });
  });

  it('a report that cannot be stored fails the delivery loudly; the next one, once the store is back, finishes with one report', async () => {
    await withStack(
      {
        ...FAST,
        resilience: { ...FAST.resilience, maxAttempts: 3 },
        faults: { seed: 7, rates: { put: { '503': 1 } }, keys: (k) => k.startsWith('reports/') },
      },
      async (stack) => {
        const prefix = 'outage';
        await stack.upload(`manifests/${prefix}.yaml`, bulkManifest(N, { prefix }));
        const seq = '0000000000000OUTAGE';
        const first = await stack.deliver(`manifests/${prefix}.yaml`, seq);
        expect(first).toBeInstanceOf(Error);
        expect((first as Error).message).toMatch(/1 record\(s\) failed/);
        expect(stack.proxy.faults.put['503']).toBeGreaterThanOrEqual(3);
        // Nothing says it succeeded: no latest.json, no finished.json, no half-written run folder.
        let stored = await storedRun(stack, prefix, `s-${seq}`);
        expect(stored.latest).toBeUndefined();
        expect(stored.finished).toBeUndefined();
        expect(stored.runs.size).toBe(0);
        // The tasks were created once, before the report failed.
        expect(Object.keys(stack.emulator.stats().createsCommitted)).toHaveLength(N);

        stack.proxy.configure({ rates: {} });
        const second = await stack.deliver(`manifests/${prefix}.yaml`, seq);
        expect(finishedOf(second)).toBeDefined();
        const names = bulkNames(N, prefix);
        expectExactlyOnce(stack.emulator, names);
        const report = await expectOneCompleteReport(stack, prefix, seq, names);
        // The same run, taken over at once from its checkpoint: its tasks are still the ones it created.
        expect(report.counts.created).toBe(N);
        expect((report.notes ?? []).join('\n')).toMatch(/could not store its report/);
        stored = await storedRun(stack, prefix, `s-${seq}`);
        expect(stored.runs.size).toBe(1);
      },
    );
  });

  it('a manifest that cannot be read is an infrastructure error (the event is delivered again), not a rejection', async () => {
    await withStack(
      {
        ...FAST,
        resilience: { ...FAST.resilience, maxAttempts: 3 },
        faults: { seed: 8, rates: { get: { '500': 1 } }, keys: (k) => k.startsWith('manifests/') },
      },
      async (stack) => {
        const prefix = 'unreadable';
        await stack.upload(`manifests/${prefix}.yaml`, bulkManifest(N, { prefix }));
        const seq = '000000000000UNREAD';
        const first = await stack.deliver(`manifests/${prefix}.yaml`, seq);
        expect(first).toBeInstanceOf(Error);
        expect(stack.proxy.faults.get['500']).toBeGreaterThanOrEqual(3);
        const stored = await storedRun(stack, prefix, `s-${seq}`);
        expect(stored.latest, 'no report rejecting the manifest').toBeUndefined();
        expect(stored.finished).toBeUndefined();
        expect(stack.emulator.stats().tasksStored).toBe(0);

        stack.proxy.configure({ rates: {} });
        expect(finishedOf(await stack.deliver(`manifests/${prefix}.yaml`, seq))).toBeDefined();
        const names = bulkNames(N, prefix);
        expectExactlyOnce(stack.emulator, names);
        const report = await expectOneCompleteReport(stack, prefix, seq, names);
        expect(report.counts.created).toBe(N);
      },
    );
  });

  it.each([400, 501] as const)(
    'a store that refuses If-None-Match outright (%i NotImplemented) runs with a best-effort lock, not a failed run',
    async (status) => {
      await withStack({ ...FAST, faults: { seed: 9, refuseConditional: status } }, async (stack) => {
        const prefix = `noconditional${status}`;
        await stack.upload(`manifests/${prefix}.yaml`, bulkManifest(N, { prefix }));
        const seq = `00000000000NOCOND${status}`;
        expect(finishedOf(await stack.deliver(`manifests/${prefix}.yaml`, seq))).toBeDefined();
        const names = bulkNames(N, prefix);
        expectExactlyOnce(stack.emulator, names);
        const report = await expectOneCompleteReport(stack, prefix, seq, names);
        expect(report.counts.created).toBe(N);
        expect((report.notes ?? []).join(' ')).toMatch(
          /ignores conditional writes, so duplicate deliveries are stopped on a best-effort basis/,
        );
      });
    },
  );
});
