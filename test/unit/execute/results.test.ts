import { describe, expect, it } from 'vitest';
import { beforeOf, isFinal, notAttempted, taskBase } from '../../../lib/execute/results.js';
import type { PlanAction, PlanEntry } from '../../../lib/plan/types.js';
import type { TaskResult } from '../../../lib/report/types.js';

const target = { project_id: 'p', instance_id: 'i' };
const entry = (action: PlanAction, reason?: string): PlanEntry => ({
  index: 3,
  name: 'crm-node',
  line: 12,
  target,
  action,
  reason,
  hasSchedule: false,
  start: false,
});

describe('notAttempted: a task before execution reaches it (plan, rejected run, a stopped run)', () => {
  it.each([
    [
      'invalid',
      'source data source "x" was not found',
      { status: 'invalid', error_code: 'INVALID', error_msg: 'source data source "x" was not found' },
    ],
    [
      'conflict',
      'a task named "crm-node" already exists',
      { status: 'not_attempted', error_code: 'CONFLICT', error_msg: 'a task named "crm-node" already exists' },
    ],
    [
      'update',
      'exists and differs from the manifest',
      { status: 'not_attempted', note: 'planned: update — exists and differs from the manifest' },
    ],
    [
      'skip',
      'exists and is identical to the manifest',
      { status: 'not_attempted', note: 'planned: skip — exists and is identical to the manifest' },
    ],
    ['create', undefined, { status: 'not_attempted' }],
  ] as const)('%s', (action, reason, expected) => {
    const r = notAttempted(entry(action, reason));
    expect(r).toEqual({ index: 3, name: 'crm-node', attempts: 0, line: 12, target, ...expected });
    // Only problems are errors; a planned action is a note.
    expect(r.error_code === undefined).toBe(action !== 'invalid' && action !== 'conflict');
    // The report keeps the order index, name, status, then the rest.
    expect(Object.keys(r).slice(0, 3)).toEqual(['index', 'name', 'status']);
  });

  it('taskBase carries no note or error: executed results start from it', () => {
    expect(taskBase(entry('update', 'exists and differs'))).toEqual({
      index: 3,
      name: 'crm-node',
      status: 'not_attempted',
      attempts: 0,
      line: 12,
      target,
    });
  });
});

describe('isFinal: what a later invocation must not redo', () => {
  const r = (status: TaskResult['status'], error_code?: string): TaskResult => ({
    ...taskBase(entry('create')),
    status,
    error_code,
  });
  it.each([
    [r('created'), true],
    [r('existing'), true],
    [r('updated'), true],
    [r('invalid', 'INVALID'), true],
    [r('failed', 'FDI.3002'), true],
    [r('failed', 'UNVERIFIED'), false],
    [r('failed', 'ABORTED'), false],
    [r('not_attempted'), false],
  ])('%o → %s', (result, final) => {
    expect(isFinal(result)).toBe(final);
  });
});

describe('beforeOf: what a result says of the task a run overwrote', () => {
  it('the ID and the modification time in ISO 8601', () => {
    expect(beforeOf({ task_id: 'id-1', modified: Date.UTC(2026, 10, 29, 10) })).toEqual({
      task_id: 'id-1',
      modified: '2026-11-29T10:00:00.000Z',
    });
  });

  it.each([undefined, Number.NaN, Number.POSITIVE_INFINITY, 9e15])('the ID alone when FDI gave %s', (modified) => {
    const before = beforeOf({ task_id: 'id-1', modified });
    expect(JSON.parse(JSON.stringify(before))).toEqual({ task_id: 'id-1' });
  });
});
