/**
 * What a task's result says of the task a run overwrote (TaskResult.before, docs/SECURITY.md "Who did
 * what"): a planned update, and a create that found a task someone else made meanwhile and updated it.
 */
import { describe, expect, it } from 'vitest';
import type { FdiClient } from '../../../lib/fdi/client/client.js';
import { FdiError } from '../../../lib/fdi/client/fdi-error.js';
import type { BriefTask, CreateTaskRequest, Page, TaskResponse } from '../../../lib/fdi/model/api.js';
import { runTask, type TaskContext } from '../../../lib/execute/run-task.js';
import { toCreateRequest, type ExpandedTask } from '../../../lib/manifest/index.js';
import type { PlanEntry } from '../../../lib/plan/types.js';
import { DEFAULT_RETRY_POLICY } from '../../../lib/traffic/retry-policy.js';
import type { OnExists } from '../../../lib/types.js';

const target = { project_id: 'p', instance_id: 'i' };
const MODIFIED = Date.UTC(2026, 10, 29, 10, 0, 0);

const task: ExpandedTask = {
  index: 0,
  name: 'crm-node',
  line: 7,
  column: 5,
  target,
  task_type: 'REALTIME',
  source: { id: 'src' },
  target_ds: { id: 'dst' },
  task_detail: '{"x":1}',
  start: false,
};

const entry = (extra: Partial<PlanEntry>): PlanEntry => ({
  index: 0,
  name: 'crm-node',
  line: 7,
  target,
  action: 'create',
  source_datasource_id: 'src',
  target_datasource_id: 'dst',
  hasSchedule: false,
  start: false,
  ...extra,
});

function answer(taskId: string, body: CreateTaskRequest, modified = MODIFIED + 1000): TaskResponse {
  return {
    task: {
      task_id: taskId,
      task_name: body.task.task_name,
      task_type: body.task.task_type,
      status: 'stop',
      project_id: 'p',
      source_datasource_id: body.task.source_datasource_id,
      target_datasource_id: body.task.target_datasource_id,
      created_date: MODIFIED - 1000,
      last_modified_date: modified,
    },
    task_detail: body.task_detail,
  } as unknown as TaskResponse;
}

/** An FDI that holds `held` under the task's name, refuses creates as "already exists", and takes updates. */
function fakeFdi(held: BriefTask | undefined): { client: FdiClient; puts: string[] } {
  const puts: string[] = [];
  const client = {
    createTask: () =>
      Promise.reject(
        new FdiError({
          kind: 'http',
          operation: 'POST /tasks',
          status: 400,
          errorCode: 'FDI.3002',
          errorMsg: 'The task name already exists.',
        }),
      ),
    updateTask: (_t: unknown, taskId: string, body: CreateTaskRequest) => {
      puts.push(taskId);
      return Promise.resolve(answer(taskId, body));
    },
    listTasks: (): Promise<Page<BriefTask>> =>
      Promise.resolve({ total: held ? 1 : 0, size: held ? 1 : 0, entities: held ? [held] : [] }),
  } as unknown as FdiClient;
  return { client, puts };
}

function context(client: FdiClient, onExists: OnExists): TaskContext {
  return {
    client,
    retry: { policy: { ...DEFAULT_RETRY_POLICY, maxAttempts: 1 } },
    stopping: () => false,
    onExists,
    now: () => new Date(MODIFIED + 2000),
  };
}

describe('an overwritten task names what it was before', () => {
  it('a planned update: the ID before, the time the listing showed, the ID after', async () => {
    const { client, puts } = fakeFdi(undefined);
    const planned = entry({
      action: 'update',
      reason: 'exists and differs from the manifest',
      existing: { task_id: 'id-1', status: 0, modified: MODIFIED },
    });
    const { result } = await runTask(task, planned, context(client, 'update'));
    expect(puts).toEqual(['id-1']);
    expect(result).toMatchObject({ status: 'updated', task_id: 'id-1', note: 'exists and differs from the manifest' });
    expect(result.before).toEqual({ task_id: 'id-1', modified: '2026-11-29T10:00:00.000Z' });
  });

  it('a planned update of a task FDI listed without a modification time: the ID alone', async () => {
    const { client } = fakeFdi(undefined);
    const planned = entry({ action: 'update', existing: { task_id: 'id-1', status: 0 } });
    const { result } = await runTask(task, planned, context(client, 'update'));
    expect(result.status).toBe('updated');
    expect(result.before?.task_id).toBe('id-1');
    expect(result.before?.modified).toBeUndefined();
    expect(JSON.parse(JSON.stringify(result.before))).toEqual({ task_id: 'id-1' });
  });

  it('a create that finds a task someone else made after planning, and updates it', async () => {
    const held: BriefTask = {
      task_id: 'theirs',
      task_name: 'crm-node',
      task_type: 'REALTIME',
      status: 0,
      last_modified_time: MODIFIED,
    };
    const { client, puts } = fakeFdi(held);
    const { result } = await runTask(task, entry({}), context(client, 'update'));
    expect(puts).toEqual(['theirs']);
    expect(result.status).toBe('updated');
    expect(result.task_id).toBe('theirs');
    expect(result.before).toEqual({ task_id: 'theirs', modified: '2026-11-29T10:00:00.000Z' });
    expect(result.note).toMatch(/created by someone else after planning; updated to this manifest's definition/);
  });

  it('after an ambiguous create, a task found with another definition: updated, with the time FDI showed', async () => {
    // The listing gives no time here; the task read back does.
    const held: BriefTask = { task_id: 'theirs', task_name: 'crm-node', task_type: 'REALTIME', status: 0 };
    const { client, puts } = fakeFdi(held);
    const theirs = { ...toCreateRequest(task, { source: 'src', target: 'dst' }), task_detail: '{"x":2}' };
    const ambiguous = {
      ...client,
      createTask: () =>
        Promise.reject(new FdiError({ kind: 'http', operation: 'POST /tasks', status: 500, errorCode: 'FDI.5000' })),
      showTask: () => Promise.resolve(answer('theirs', theirs, MODIFIED)),
    } as unknown as FdiClient;
    const { result } = await runTask(task, entry({}), context(ambiguous, 'update'));
    expect(puts).toEqual(['theirs']);
    expect(result).toMatchObject({ status: 'updated', task_id: 'theirs' });
    expect(result.before).toEqual({ task_id: 'theirs', modified: '2026-11-29T10:00:00.000Z' });
    expect(result.note).toMatch(/found with a different definition.*; updated to this manifest's definition/);
  });

  it('left as it was, or skipped: no before', async () => {
    const held: BriefTask = { task_id: 'theirs', task_name: 'crm-node', task_type: 'REALTIME', status: 0 };
    const found = await runTask(task, entry({}), context(fakeFdi(held).client, 'skip'));
    expect(found.result).toMatchObject({ status: 'existing', task_id: 'theirs' });
    expect(found.result.before).toBeUndefined();
    const skipped = entry({ action: 'skip', existing: { task_id: 'id-1', status: 0, modified: MODIFIED } });
    const kept = await runTask(task, skipped, context(fakeFdi(undefined).client, 'update'));
    expect(kept.result).toMatchObject({ status: 'existing', task_id: 'id-1' });
    expect(kept.result.before).toBeUndefined();
  });

  it('a failed update is not an overwrite: no before', async () => {
    const { client } = fakeFdi(undefined);
    const refusing = {
      ...client,
      updateTask: () =>
        Promise.reject(
          new FdiError({ kind: 'http', operation: 'PUT /tasks/{id}', status: 400, errorCode: 'FDI.3033' }),
        ),
    } as unknown as FdiClient;
    const planned = entry({ action: 'update', existing: { task_id: 'id-1', status: 0, modified: MODIFIED } });
    const { result } = await runTask(task, planned, context(refusing, 'update'));
    expect(result).toMatchObject({ status: 'failed', task_id: 'id-1' });
    expect(result.before).toBeUndefined();
  });
});
