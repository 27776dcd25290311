import { describe, expect, it } from 'vitest';
import { ExecutionStore, executionOutcome, statusAt, toMonitorLog } from '../../../emulator/executions.js';
import { resolveOptions } from '../../../emulator/options.js';

const SETTINGS = { executionMs: 1000, executionFailShare: 0, executionSeed: 1, runOnStart: false };
const task = (name: string, task_type = 'TIMING') => ({
  project_id: 'p',
  instance_id: 'i',
  task_id: `id-${name}`,
  task_name: name,
  task_type,
});

describe('the execution settings', () => {
  it('default to 1 s executions that never fail, seed 1, no run on a TIMING start', () => {
    expect(resolveOptions()).toMatchObject(SETTINGS);
  });

  it('are checked, every problem at once', () => {
    expect(() =>
      resolveOptions({
        executionMs: 1.5,
        executionFailShare: -0.1,
        executionSeed: 2 ** 32,
        runOnStart: 1 as never,
      }),
    ).toThrow(/executionMs.*executionFailShare.*executionSeed.*runOnStart/);
    expect(resolveOptions({ executionFailShare: 1, executionMs: 0 })).toMatchObject({
      executionFailShare: 1,
      executionMs: 0,
    });
  });
});

describe('executionOutcome', () => {
  it('is a function of the seed, the share, the name and the number of the execution', () => {
    expect(executionOutcome(7, 0.5, 'a', 1)).toEqual(executionOutcome(7, 0.5, 'a', 1));
    const names = Array.from({ length: 1000 }, (_, i) => `task-${i}`);
    const fails = names.filter((n) => executionOutcome(7, 0.1, n, 1).fails).length;
    expect(fails).toBeGreaterThan(70);
    expect(fails).toBeLessThan(130);
    const second = names.filter((n) => executionOutcome(7, 0.1, n, 2).fails);
    expect(second).not.toEqual(names.filter((n) => executionOutcome(7, 0.1, n, 1).fails));
  });

  it('gives a failure dirty data and fewer rows; a success none', () => {
    for (let i = 0; i < 50; i += 1) {
      const bad = executionOutcome(3, 1, `x-${i}`, 1);
      expect(bad.fails).toBe(true);
      expect(bad.dirtyDataCount).toBeGreaterThanOrEqual(1);
      expect(bad.dirtyDataCount).toBeLessThan(100);
      const good = executionOutcome(3, 0, `x-${i}`, 1);
      expect(good).toMatchObject({ fails: false, dirtyDataCount: 0 });
      expect(good.dataCount).toBeGreaterThanOrEqual(100);
      expect(bad.dataCount).toBe(Math.floor(good.dataCount / 2));
    }
  });
});

describe('statusAt and toMonitorLog', () => {
  it('RUNNING for executionMs, then SUCCESS; a stream stays RUNNING; a failing one ends in ERROR', () => {
    const store = new ExecutionStore();
    const ok = store.begin(task('ok'), 'run', SETTINGS, 10_000);
    expect(statusAt(ok, 10_999)).toBe('RUNNING');
    expect(statusAt(ok, 11_000)).toBe('SUCCESS');
    const stream = store.begin(task('rt', 'REALTIME'), 'start', SETTINGS, 10_000);
    expect(statusAt(stream, 99_000)).toBe('RUNNING');
    const bad = store.begin(task('bad'), 'run', { ...SETTINGS, executionFailShare: 1 }, 10_000);
    expect(statusAt(bad, 10_500)).toBe('RUNNING');
    expect(statusAt(bad, 11_000)).toBe('ERROR');
    expect(store.running('p', 'i', 'id-ok', 10_500)).toBe(ok);
    expect(store.running('p', 'i', 'id-ok', 11_000)).toBeUndefined();
  });

  it('shows the progress of a running execution and the end of a cancelled one', () => {
    const store = new ExecutionStore();
    const e = store.begin(task('prog'), 'run', SETTINGS, 0);
    const reading = toMonitorLog(e, 250);
    expect(reading).toMatchObject({ execute_status: 'RUNNING', position: 'READER', status: 102, spend_time: 250 });
    expect(reading.data_count).toBe(Math.floor(e.outcome.dataCount / 4));
    expect(reading.end_time).toBeUndefined();
    expect(reading.detail_logs).toHaveLength(1);
    expect(toMonitorLog(e, 600)).toMatchObject({ position: 'WRITER', status: 502 });
    store.cancel(e, 'stop', 700);
    const cancelled = toMonitorLog(e, 5000);
    expect(cancelled).toMatchObject({
      execute_status: 'CANCELLED',
      end_time: 700,
      spend_time: 700,
      status: 16,
      remarks: 'The run was cancelled: the task was stopped.',
    });
    expect(cancelled.data_count).toBe(Math.floor((e.outcome.dataCount * 700) / 1000));
  });

  it('numbers a task’s executions and forgets them with the task', () => {
    const store = new ExecutionStore();
    store.begin(task('n'), 'run', SETTINGS, 0);
    const second = store.begin(task('n'), 'run', SETTINGS, 5000);
    expect(second.ordinal).toBe(2);
    expect(store.latest('p', 'i', 'id-n')).toBe(second);
    expect(store.snapshot('p', 'i')).toHaveLength(2);
    expect(store.snapshot('other')).toHaveLength(0);
    store.removeTask('p', 'i', 'id-n');
    expect(store.list('p', 'i', 'id-n')).toEqual([]);
  });
});
