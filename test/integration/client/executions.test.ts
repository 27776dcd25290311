import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, executionOutcome, failureRemark } from '../../../emulator/index.js';
import { allPages } from '../../../lib/fdi/client/client.js';
import { FdiError } from '../../../lib/fdi/client/fdi-error.js';
import { MONITOR_FIRST_OFFSET, type TaskMonitorInfo } from '../../../lib/fdi/model/api.js';
import { Secret } from '../../../lib/secret.js';
import { TARGET, testClient } from '../../helpers/client.js';

const body = (name: string, task_type: 'TIMING' | 'REALTIME' = 'TIMING') => ({
  task: {
    task_name: name,
    task_type,
    source_datasource_id: '30969b205e8f4392a25fb321112d1753',
    target_datasource_id: '30969b205e8f4392a25fb321112d1753',
  },
  task_detail: '{}',
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());
beforeEach(() => {
  emu.configure({ faults: {}, executionMs: 40, executionFailShare: 0, executionSeed: 1 });
  emu.reset();
});
const client = () => testClient(emu.url, { kind: 'token', token: new Secret('local-token') }).client;

describe('FDI client: run now, terminate and the task monitors', () => {
  it('runs a task, waits for its execution through the monitors and reads its monitor log', async () => {
    const c = client();
    const { task } = await c.createTask(TARGET, body('client-run'));
    const answer = await c.runTask(TARGET, task.task_id);
    expect(answer).toEqual({});
    const running = await c.listTaskMonitors(TARGET, { task_name: 'client-run' });
    expect(running).toMatchObject({ total: 1, size: 1 });
    expect(running.entities[0]).toMatchObject({ task_id: task.task_id, execute_status: 'RUNNING' });
    await sleep(80);
    const done = await c.listTaskMonitors(TARGET, { task_name: 'client-run', execute_status: 'SUCCESS' });
    expect(done.entities.map((m) => m.task_id)).toEqual([task.task_id]);
    const log = await c.listMonitorLogs(TARGET, task.task_id, { limit: 1 });
    expect(log.entities[0]).toMatchObject({
      execute_status: 'SUCCESS',
      data_count: executionOutcome(1, 0, 'client-run', 1).dataCount,
      dirty_data_count: 0,
    });
    expect(log.entities[0].start_time).toBe(done.entities[0].last_execute_time);
    // Every call sent what Huawei's SDK sends: no body, Content-Type application/json.
    const sent = emu.requestLog().filter((r) => /\/(run|task-monitors|monitor-logs)$/.test(r.path));
    expect(sent.map((r) => r.contentType)).toEqual(Array(sent.length).fill('application/json'));
  });

  it('reports a failed execution with FDI’s remark and its dirty data', async () => {
    emu.configure({ executionFailShare: 1 });
    const c = client();
    const { task } = await c.createTask(TARGET, body('client-fails'));
    await c.runTask(TARGET, task.task_id);
    await sleep(80);
    const [latest] = (await c.listMonitorLogs(TARGET, task.task_id)).entities;
    const outcome = executionOutcome(1, 1, 'client-fails', 1);
    expect(latest).toMatchObject({
      execute_status: 'ERROR',
      remarks: failureRemark({ outcome }),
      dirty_data_count: outcome.dirtyDataCount,
    });
  });

  it('terminates a running execution; a second terminate and a second run are typed FdiErrors', async () => {
    emu.configure({ executionMs: 60_000 });
    const c = client();
    const { task } = await c.createTask(TARGET, body('client-term'));
    await c.runTask(TARGET, task.task_id);
    const again = (await c.runTask(TARGET, task.task_id).catch((e: unknown) => e)) as FdiError;
    expect(again).toBeInstanceOf(FdiError);
    expect(again).toMatchObject({ status: 400, errorCode: 'FDI.3023' });
    const deleting = (await c.deleteTask(TARGET, task.task_id).catch((e: unknown) => e)) as FdiError;
    expect(deleting).toMatchObject({ status: 400, errorCode: 'FDI.3023' });
    expect(await c.terminateTask(TARGET, task.task_id)).toEqual({ message: 'success' });
    expect((await c.listMonitorLogs(TARGET, task.task_id)).entities[0].execute_status).toBe('CANCELLED');
    const none = (await c.terminateTask(TARGET, task.task_id).catch((e: unknown) => e)) as FdiError;
    expect(none).toMatchObject({ status: 400, errorCode: 'FDI.3033' });
    await c.deleteTask(TARGET, task.task_id);
    const gone = (await c.listMonitorLogs(TARGET, task.task_id).catch((e: unknown) => e)) as FdiError;
    expect(gone).toMatchObject({ status: 404, errorCode: 'FDI.3081' });
  });

  it('pages through every monitor with allPages from offset 1', async () => {
    const c = client();
    for (let i = 0; i < 23; i++) await c.createTask(TARGET, body(`page-${String(i).padStart(2, '0')}`));
    const seen: TaskMonitorInfo[] = [];
    for await (const m of allPages(
      (offset, limit) => c.listTaskMonitors(TARGET, { offset, limit }),
      5,
      MONITOR_FIRST_OFFSET,
    ))
      seen.push(m);
    expect(seen.map((m) => m.task_name)).toEqual(
      Array.from({ length: 23 }, (_, i) => `page-${String(i).padStart(2, '0')}`),
    );
    expect(emu.stats().requests['GET /task-monitors']).toEqual({ 200: 5 });
  });

  it('pages through a task’s executions, newest first, within a time window', async () => {
    emu.configure({ executionMs: 1 });
    const c = client();
    const { task } = await c.createTask(TARGET, body('client-logs'));
    for (let i = 0; i < 4; i++) {
      await c.runTask(TARGET, task.task_id);
      await sleep(15);
    }
    const all = [];
    for await (const e of allPages(
      (offset, limit) => c.listMonitorLogs(TARGET, task.task_id, { offset, limit }),
      3,
      MONITOR_FIRST_OFFSET,
    ))
      all.push(e);
    expect(all).toHaveLength(4);
    expect(new Set(all.map((e) => e.id)).size).toBe(4);
    const starts = all.map((e) => e.start_time!);
    expect(starts).toEqual([...starts].sort((a, b) => b - a));
    const windowed = await c.listMonitorLogs(TARGET, task.task_id, { begin_time: starts[1], end_time: starts[0] });
    expect(windowed.total).toBe(2);
  });

  it('a fault on the new calls is an FdiError the retry policy can read; a run after 500-after-commit began', async () => {
    const c = client();
    const { task } = await c.createTask(TARGET, body('client-fault'));
    emu.configure({ faults: { 502: 1 } });
    for (const attempt of [
      () => c.listTaskMonitors(TARGET),
      () => c.listMonitorLogs(TARGET, task.task_id),
      () => c.terminateTask(TARGET, task.task_id),
    ]) {
      const err = (await attempt().catch((e: unknown) => e)) as FdiError;
      expect(err).toMatchObject({ status: 502, errorCode: 'APIGW.0202' });
    }
    emu.configure({ faults: { '500-after-commit': 1 }, executionMs: 60_000 });
    const err = (await c.runTask(TARGET, task.task_id).catch((e: unknown) => e)) as FdiError;
    expect(err).toMatchObject({ status: 500, mayHaveReachedServer: true });
    expect(emu.stats().executionsStarted).toEqual({ 'client-fault': 1 });
  });
});
