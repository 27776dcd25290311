/**
 * The task store: tasks per project/instance in creation order, a name index for uniqueness, and
 * optional persistence to a JSON file (written atomically: temporary file, then rename).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ExecuteStatus, TaskDispatchRsp, TaskType } from '../lib/fdi/model/api.js';

/** A stored task, as the emulator keeps it (request casing; responses derive their own). */
export interface TaskRecord {
  project_id: string;
  instance_id: string;
  task_id: string;
  task_name: string;
  task_type: TaskType;
  source_datasource_id: string;
  target_datasource_id: string;
  description?: string | undefined;
  task_tag?: string | undefined;
  task_detail: string;
  status: 'stop' | 'running';
  execute_status: ExecuteStatus;
  created_date: number;
  last_modified_date: number;
  /** Incremented by every update. */
  version: number;
  dispatch?: TaskDispatchRsp | undefined;
  /** The kind of a composite task (e.g. CDC), put there by seedTask; absent for a common task. */
  ext_type?: string | undefined;
}

const STATE_VERSION = 1;
const SAVE_DELAY_MS = 20;

/** Whether a record is of the project and instance asked for (undefined: any), for the snapshots. */
export function inScope(r: { project_id: string; instance_id: string }, project?: string, instance?: string): boolean {
  return (project === undefined || r.project_id === project) && (instance === undefined || r.instance_id === instance);
}

/** A 32-hex-character ID, the shape of real FDI IDs. */
export function newId(): string {
  return randomBytes(16).toString('hex');
}

interface Instance {
  tasks: Map<string, TaskRecord>;
  byName: Map<string, string>;
}

export class TaskStore {
  private readonly instances = new Map<string, Instance>();
  private saveTimer: NodeJS.Timeout | undefined;

  constructor(private readonly stateFile?: string) {
    if (stateFile) this.load(stateFile);
  }

  private key(project: string, instance: string): string {
    return JSON.stringify([project, instance]);
  }

  private instance(project: string, instance: string): Instance {
    const k = this.key(project, instance);
    let inst = this.instances.get(k);
    if (!inst) {
      inst = { tasks: new Map(), byName: new Map() };
      this.instances.set(k, inst);
    }
    return inst;
  }

  /** Tasks of one instance in creation order (live records; callers must not keep them across awaits). */
  list(project: string, instance: string): TaskRecord[] {
    return [...this.instance(project, instance).tasks.values()];
  }

  count(project: string, instance: string): number {
    return this.instance(project, instance).tasks.size;
  }

  get(project: string, instance: string, taskId: string): TaskRecord | undefined {
    return this.instance(project, instance).tasks.get(taskId);
  }

  findByName(project: string, instance: string, name: string): TaskRecord | undefined {
    const inst = this.instance(project, instance);
    const id = inst.byName.get(name);
    return id === undefined ? undefined : inst.tasks.get(id);
  }

  /** Adds a task; the caller has checked that its name is free. */
  add(task: TaskRecord): void {
    const inst = this.instance(task.project_id, task.instance_id);
    inst.tasks.set(task.task_id, task);
    inst.byName.set(task.task_name, task.task_id);
    this.changed();
  }

  /** Replaces a task's fields in place (keeping its position); the caller has checked a new name is free. */
  update(task: TaskRecord, patch: Partial<TaskRecord>): void {
    const inst = this.instance(task.project_id, task.instance_id);
    if (patch.task_name !== undefined && patch.task_name !== task.task_name) {
      inst.byName.delete(task.task_name);
      inst.byName.set(patch.task_name, task.task_id);
    }
    Object.assign(task, patch);
    this.changed();
  }

  remove(task: TaskRecord): void {
    const inst = this.instance(task.project_id, task.instance_id);
    inst.tasks.delete(task.task_id);
    inst.byName.delete(task.task_name);
    this.changed();
  }

  /** Every task, or those of one project (and instance); deep copies. */
  snapshot(project?: string, instance?: string): TaskRecord[] {
    const out: TaskRecord[] = [];
    for (const inst of this.instances.values()) {
      for (const t of inst.tasks.values()) {
        if (inScope(t, project, instance)) out.push(structuredClone(t));
      }
    }
    return out;
  }

  size(): number {
    let n = 0;
    for (const inst of this.instances.values()) n += inst.tasks.size;
    return n;
  }

  clear(): void {
    this.instances.clear();
    this.changed();
  }

  /** Writes pending changes now (used on close). */
  flush(): void {
    if (this.saveTimer === undefined) return;
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    this.save();
  }

  private changed(): void {
    if (!this.stateFile || this.saveTimer !== undefined) return;
    // Debounced: a burst of creates costs one write. unref: a pending save never keeps the process alive.
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.save();
    }, SAVE_DELAY_MS);
    this.saveTimer.unref();
  }

  private save(): void {
    if (!this.stateFile) return;
    const tmp = `${this.stateFile}.${process.pid}.${newId().slice(0, 8)}.tmp`;
    mkdirSync(dirname(this.stateFile), { recursive: true });
    writeFileSync(tmp, `${JSON.stringify({ version: STATE_VERSION, tasks: this.snapshot() })}\n`);
    renameSync(tmp, this.stateFile);
  }

  private load(file: string): void {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    let doc: { version?: unknown; tasks?: unknown };
    try {
      doc = JSON.parse(text) as typeof doc;
    } catch {
      throw new Error(`state file ${file} is not valid JSON; move it away to start empty`);
    }
    if (doc.version !== STATE_VERSION || !Array.isArray(doc.tasks)) {
      throw new Error(`state file ${file} is not an emulator state file (version ${STATE_VERSION})`);
    }
    for (const t of doc.tasks as TaskRecord[]) {
      const inst = this.instance(t.project_id, t.instance_id);
      inst.tasks.set(t.task_id, t);
      inst.byName.set(t.task_name, t.task_id);
    }
  }
}
