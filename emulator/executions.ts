/**
 * Simulated executions of tasks: what RunTask (and the batch start of a REALTIME task, or of a TIMING
 * task with `runOnStart`) begins. An execution is RUNNING for `executionMs`, then SUCCESS or ERROR; a
 * healthy REALTIME execution (a stream) stays RUNNING. Whether it fails, and its counts, are drawn from
 * a PRNG seeded by `executionSeed`, the task's name and the execution's number within the task, so the
 * same settings fail the same tasks whatever the order requests arrive in. The state of an execution is
 * computed from the clock when it is read (no timers); terminate or a batch stop ends it (CANCELLED).
 * Executions live in memory only: not persisted, cleared by reset() and with their task.
 */
import type { ExecuteStatus, TaskMonitorDetailLog, TaskMonitorLog } from '../lib/fdi/model/api.js';
import { mulberry32 } from './faults.js';
import { inScope, newId } from './state.js';

/** The settings behind the simulation (runtime settings of the emulator). */
export interface ExecutionSettings {
  /** How long an execution runs before it succeeds or fails (ms). */
  executionMs: number;
  /** The share of executions that fail, 0..1. */
  executionFailShare: number;
  /** Seed of the draws that decide failures and counts. */
  executionSeed: number;
  /** Whether a batch start of a TIMING task begins an execution at once (as if its schedule fired). */
  runOnStart: boolean;
}

/** What the draws decide for one execution. */
export interface ExecutionOutcome {
  fails: boolean;
  /** Rows written when the execution ends (successful or not). */
  dataCount: number;
  /** Rows rejected; 0 unless it fails. */
  dirtyDataCount: number;
}

/** One execution as stored. */
export interface ExecutionRecord {
  /** The trace ID (TaskMonitorLog.id). */
  id: string;
  project_id: string;
  instance_id: string;
  task_id: string;
  task_name: string;
  /** 1 for the task's first execution. */
  ordinal: number;
  trigger: 'run' | 'start';
  /** A REALTIME task's execution: when it does not fail it stays RUNNING until it is ended. */
  streaming: boolean;
  /** TIMING: a read time is reported (the SDK has read_spend_time only for timed tasks). */
  timing: boolean;
  start_time: number;
  duration_ms: number;
  outcome: ExecutionOutcome;
  /** When terminate or a batch stop ended it while it was running. */
  cancelled_at?: number | undefined;
  cancelled_by?: 'terminate' | 'stop' | undefined;
}

/** 32-bit FNV-1a of a string. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Whether the `ordinal`-th execution of the task named `taskName` fails under `seed` and `share`, and
 * its counts. Pure; tests can predict the simulation with it.
 */
export function executionOutcome(seed: number, share: number, taskName: string, ordinal: number): ExecutionOutcome {
  const random = mulberry32(fnv1a(`${seed >>> 0}\u0000${taskName}\u0000${ordinal}`));
  const fails = random() < share;
  const dataCount = 100 + Math.floor(random() * 9_900);
  const dirty = 1 + Math.floor(random() * 99);
  return fails
    ? { fails, dataCount: Math.floor(dataCount / 2), dirtyDataCount: dirty }
    : { fails, dataCount, dirtyDataCount: 0 };
}

/** The execution's status at `now`. */
export function statusAt(e: ExecutionRecord, now: number): ExecuteStatus {
  if (e.cancelled_at !== undefined && e.cancelled_at <= now) return 'CANCELLED';
  if (now < e.start_time + e.duration_ms) return 'RUNNING';
  if (e.outcome.fails) return 'ERROR';
  return e.streaming ? 'RUNNING' : 'SUCCESS';
}

/** The failure's remark: what FDI's `remarks` would say, marked as simulated. */
export function failureRemark(e: Pick<ExecutionRecord, 'outcome'>): string {
  return `Simulated failure: the target rejected ${e.outcome.dirtyDataCount} rows (dirty data); the run stopped in the WRITER stage.`;
}

function key(project: string, instance: string, taskId: string): string {
  return JSON.stringify([project, instance, taskId]);
}

/** The executions of every task, oldest first per task. */
export class ExecutionStore {
  private readonly byTask = new Map<string, ExecutionRecord[]>();

  /** The task's executions, oldest first (live records). */
  list(project: string, instance: string, taskId: string): ExecutionRecord[] {
    return this.byTask.get(key(project, instance, taskId)) ?? [];
  }

  /** The task's latest execution. */
  latest(project: string, instance: string, taskId: string): ExecutionRecord | undefined {
    const all = this.list(project, instance, taskId);
    return all[all.length - 1];
  }

  /** The task's execution that is RUNNING at `now`, if any. */
  running(project: string, instance: string, taskId: string, now: number): ExecutionRecord | undefined {
    const last = this.latest(project, instance, taskId);
    return last && statusAt(last, now) === 'RUNNING' ? last : undefined;
  }

  /** Begins an execution of the task now. */
  begin(
    task: { project_id: string; instance_id: string; task_id: string; task_name: string; task_type: string },
    trigger: 'run' | 'start',
    settings: ExecutionSettings,
    now: number,
  ): ExecutionRecord {
    const k = key(task.project_id, task.instance_id, task.task_id);
    const list = this.byTask.get(k) ?? [];
    const ordinal = list.length + 1;
    const record: ExecutionRecord = {
      id: newId(),
      project_id: task.project_id,
      instance_id: task.instance_id,
      task_id: task.task_id,
      task_name: task.task_name,
      ordinal,
      trigger,
      streaming: task.task_type === 'REALTIME',
      timing: task.task_type === 'TIMING',
      start_time: now,
      duration_ms: settings.executionMs,
      outcome: executionOutcome(settings.executionSeed, settings.executionFailShare, task.task_name, ordinal),
    };
    list.push(record);
    this.byTask.set(k, list);
    return record;
  }

  /** Ends a running execution now (CANCELLED). */
  cancel(e: ExecutionRecord, by: 'terminate' | 'stop', now: number): void {
    e.cancelled_at = now;
    e.cancelled_by = by;
  }

  /** Forgets a deleted task's executions. */
  removeTask(project: string, instance: string, taskId: string): void {
    this.byTask.delete(key(project, instance, taskId));
  }

  /** Every execution (of one project, or one instance), oldest first per task; copies. */
  snapshot(project?: string, instance?: string): ExecutionRecord[] {
    const out: ExecutionRecord[] = [];
    for (const list of this.byTask.values()) {
      for (const e of list) {
        if (inScope(e, project, instance)) out.push(structuredClone(e));
      }
    }
    return out;
  }

  clear(): void {
    this.byTask.clear();
  }
}

/** The part of the execution's rows done at `at`: all when it ended, a share while running. */
function rowsAt(e: ExecutionRecord, at: number): number {
  if (e.duration_ms <= 0 || at >= e.start_time + e.duration_ms) return e.outcome.dataCount;
  return Math.floor((e.outcome.dataCount * Math.max(0, at - e.start_time)) / e.duration_ms);
}

/** The execution as a TaskMonitorLog at `now`. */
export function toMonitorLog(e: ExecutionRecord, now: number): TaskMonitorLog {
  const status = statusAt(e, now);
  const plannedEnd = e.start_time + e.duration_ms;
  const ended = status !== 'RUNNING';
  const endTime = status === 'CANCELLED' ? e.cancelled_at! : ended ? plannedEnd : undefined;
  const at = endTime ?? now;
  const spend = Math.max(0, at - e.start_time);
  const writing = at - e.start_time >= e.duration_ms / 2;
  // At the planned end (an ended run that was not cancelled) rowsAt gives the whole count.
  const rows = rowsAt(e, at);
  const dirty = status === 'ERROR' ? e.outcome.dirtyDataCount : 0;
  const log: TaskMonitorLog = {
    id: e.id,
    start_time: e.start_time,
    dispatch_time: e.start_time,
    end_time: endTime,
    execute_status: status,
    position: writing ? 'WRITER' : 'READER',
    position_status: positionStatus(status),
    status: statusCode(status, writing),
    dirty_data_count: dirty,
    data_count: rows,
    data_size: Math.round(rows * 0.5 * 100) / 100,
    data_size_unit: 'KB',
    spend_time: spend,
    read_spend_time: e.timing ? Math.min(spend, Math.floor(e.duration_ms / 2)) : undefined,
    write_spend_time: Math.max(0, spend - Math.floor(e.duration_ms / 2)),
    remarks: remarks(e, status, rows),
    detail_logs: detailLogs(e, status, at, rows, dirty),
  };
  for (const k of Object.keys(log) as (keyof TaskMonitorLog)[]) if (log[k] === undefined) delete log[k];
  return log;
}

function positionStatus(status: ExecuteStatus): TaskMonitorLog['position_status'] {
  if (status === 'SUCCESS') return 'TASK_END';
  if (status === 'ERROR') return 'RUNTIME_ERR';
  if (status === 'CANCELLED') return 'RUNTIME_CANCEL';
  return 'NORMAL';
}

/** FDI's detailed status codes: 16 cancelled, 102 reading, 502 writing, 503 target error, 901 run ended. */
function statusCode(status: ExecuteStatus, writing: boolean): number {
  if (status === 'SUCCESS') return 901;
  if (status === 'ERROR') return 503;
  if (status === 'CANCELLED') return 16;
  return writing ? 502 : 102;
}

function remarks(e: ExecutionRecord, status: ExecuteStatus, rows: number): string {
  if (status === 'ERROR') return failureRemark(e);
  if (status === 'CANCELLED')
    return e.cancelled_by === 'terminate'
      ? 'The run was terminated by hand.'
      : 'The run was cancelled: the task was stopped.';
  if (status === 'SUCCESS') return `The run ended normally: ${rows} rows written.`;
  return e.streaming && rows === e.outcome.dataCount ? `Streaming: ${rows} rows written so far.` : 'Running.';
}

function detailLogs(
  e: ExecutionRecord,
  status: ExecuteStatus,
  at: number,
  rows: number,
  dirty: number,
): TaskMonitorDetailLog[] {
  const half = e.start_time + Math.floor(e.duration_ms / 2);
  const reader: TaskMonitorDetailLog = {
    id: `${e.id.slice(0, 24)}reader01`,
    status: at >= half ? 104 : 102,
    position: 'READER',
    position_status: at >= half ? 'NODE_END' : 'NORMAL',
    stage: 'reader',
    dirty_data_count: 0,
    data_count: rows + dirty,
    spend_time: Math.min(at, half) - e.start_time,
    remarks: at >= half ? 'Reading ended.' : 'Reading data.',
    step_begin_time: e.start_time,
    step_end_time: at >= half ? half : undefined,
  };
  if (at < half) return [dropUndefined(reader)];
  const writer: TaskMonitorDetailLog = {
    id: `${e.id.slice(0, 24)}writer01`,
    status: statusCode(status, true),
    position: 'WRITER',
    position_status: positionStatus(status),
    stage: 'writer',
    dirty_data_count: dirty,
    data_count: rows,
    spend_time: at - half,
    remarks: remarks(e, status, rows),
    step_begin_time: half,
    step_end_time: status === 'RUNNING' ? undefined : at,
  };
  return [dropUndefined(reader), dropUndefined(writer)];
}

function dropUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

/** An execution as tests see it: its task, how it began, and its TaskMonitorLog at the time of the call. */
export type ExecutionView = TaskMonitorLog &
  Pick<ExecutionRecord, 'project_id' | 'instance_id' | 'task_id' | 'task_name' | 'ordinal' | 'trigger'>;

/** Every execution (of one project, or one instance) as seen at `now`, oldest first per task. */
export function executionViews(
  store: ExecutionStore,
  now: number,
  project?: string,
  instance?: string,
): ExecutionView[] {
  return store.snapshot(project, instance).map((e) => ({
    project_id: e.project_id,
    instance_id: e.instance_id,
    task_id: e.task_id,
    task_name: e.task_name,
    ordinal: e.ordinal,
    trigger: e.trigger,
    ...toMonitorLog(e, now),
  }));
}
