/**
 * The lazy task stream: entry plans → matrix combinations → json-e rendering → checked tasks, one at a
 * time. Both the full check of `compileManifest` and `CompiledManifest.tasks()` walk it; neither keeps
 * rendered tasks.
 */
import { combinations, type JsonObject, type RenderFailure, type Renderer, shallowMerge } from '../template/index.js';
import type { EntryPlan, RenderedField } from './entry-plan.js';
import type { PathSegment, Position, SourceMap } from './locate.js';
import { formatPath } from './problem.js';
import { closest, didYouMean } from './suggest.js';
import { finishTask } from './task-checks.js';
import type { TaskProblem } from './task-problem.js';
import type { ExpandedTask, ManifestLimits, Problem, TaskTarget } from './types.js';

/** What expanding a task needs besides its plan; the renderer is one per walk of the tasks. */
export interface ExpandContext {
  file: string;
  source: SourceMap;
  renderer: Renderer;
  manifestTarget: TaskTarget;
  limits: ManifestLimits;
  /** Where each entry's data-source names are written (entry index → places), found once per entry. */
  namePlaces?: Map<number, { source: Position; target: Position }>;
}

/** One expanded task: the task, or its problems. */
export interface TaskOutcome {
  plan: EntryPlan;
  index: number;
  name: string;
  task?: ExpandedTask | undefined;
  problems: Problem[];
}

/** Walks every task of every plan in expansion order. */
export function* expandPlans(plans: readonly EntryPlan[], ctx: ExpandContext): Generator<TaskOutcome> {
  for (const plan of plans) {
    let index = plan.startIndex;
    const combos = plan.matrix ? combinations(plan.matrix) : [{}];
    for (const combo of combos) {
      yield expandOne(plan, shallowMerge(plan.vars, combo), index, ctx);
      index += 1;
    }
  }
}

function expandOne(plan: EntryPlan, vars: JsonObject, index: number, ctx: ExpandContext): TaskOutcome {
  const rendered = ctx.renderer.renderPrepared(plan.prepared, vars, plan.guarded);
  if (!rendered.ok) {
    const name = displayName(plan, vars, ctx);
    const failures = fieldFailures(plan, vars, ctx, rendered.failure);
    return { plan, index, name, problems: failures.map((f) => renderProblem(f, plan, vars, index, name, ctx)) };
  }
  const value = rendered.value as JsonObject;
  const { task, problems } = finishTask(value, plan, {
    index,
    manifestTarget: ctx.manifestTarget,
    maxDetailBytes: ctx.limits.maxDetailBytes,
  });
  const name = typeof value.name === 'string' ? value.name : plan.rawName;
  const placed = task && placeNames(task, plan, ctx);
  return { plan, index, name, task: placed, problems: problems.map((p) => taskProblem(p, plan, index, name, ctx)) };
}

/** The task with the place of each data-source name it gives (planning's messages point there). */
function placeNames(task: ExpandedTask, plan: EntryPlan, ctx: ExpandContext): ExpandedTask {
  if (!('name' in task.source) && !('name' in task.target_ds)) return task;
  // The same for all the entry's tasks: found once.
  ctx.namePlaces ??= new Map();
  let places = ctx.namePlaces.get(plan.entryIndex);
  if (!places) {
    places = {
      source: locateField(plan, 'source_datasource', ['name'], ctx),
      target: locateField(plan, 'target_datasource', ['name'], ctx),
    };
    ctx.namePlaces.set(plan.entryIndex, places);
  }
  return { ...task, namesAt: places };
}

/** When the whole task fails to render, renders field by field so that every broken field is reported. */
function fieldFailures(plan: EntryPlan, vars: JsonObject, ctx: ExpandContext, whole: RenderFailure): RenderFailure[] {
  // Bounds are not retried: a second run of a runaway template costs the same again.
  if (whole.kind === 'bound') return [whole];
  const out: RenderFailure[] = [];
  for (const field of Object.keys(plan.fields)) {
    const r = ctx.renderer.render({ [field]: plan.fields[field] }, vars, plan.guarded);
    if (!r.ok) out.push(r.failure.path.length ? r.failure : { ...r.failure, path: [field] });
  }
  return out.length ? out : [whole];
}

/** The task's name for messages: rendered if it renders, else as written. */
function displayName(plan: EntryPlan, vars: JsonObject, ctx: ExpandContext): string {
  const r = ctx.renderer.render(plan.rawName, vars, false);
  return r.ok && typeof r.value === 'string' ? r.value : plan.rawName;
}

function renderProblem(
  f: RenderFailure,
  plan: EntryPlan,
  vars: JsonObject,
  index: number,
  name: string,
  ctx: ExpandContext,
): Problem {
  const [field, ...rest] = f.path;
  const at = locateField(plan, field as RenderedField | undefined, rest, ctx);
  let message = f.message;
  let hint = f.hint;
  // Only when the reader was written elsewhere (a template, the defaults): the task's own key is then the
  // likelier typo; a task that writes both is told about the reader, as before.
  const readerIsOwn =
    String(writtenAt(plan, field as RenderedField | undefined, rest, ctx)) === String(['tasks', plan.entryIndex]);
  const misspelt = f.variable === undefined || readerIsOwn ? undefined : ownTypo(f.variable, plan, vars);
  if (misspelt !== undefined) return misspeltVar(misspelt, f.variable!, plan, index, name, ctx);
  if (f.variable !== undefined) {
    const known = Object.keys(vars);
    message = `undefined variable ${JSON.stringify(f.variable)}${field ? ` in ${String(field)}` : ''}${didYouMean(f.variable, known)}`;
    hint = known.length
      ? `the variables of this task are: ${known.join(', ')} (set more in vars or matrix)`
      : 'this task has no variables; set them in vars or matrix';
  } else if (field && f.kind === 'template') {
    message = `${message} (in ${formatPath(f.path)})`;
  }
  return {
    kind: f.kind,
    file: ctx.file,
    ...at,
    taskIndex: index,
    taskName: name,
    field: field === undefined ? undefined : formatPath(f.path),
    message,
    hint,
  };
}

/**
 * A variable the template reads that this task does not set, but other parts of the manifest do, and a
 * near miss among the task's own vars that the template does not read: the task's key is the likelier
 * typo (the template serves tasks that spell it right). A variable set nowhere is the template's typo.
 */
function ownTypo(variable: string, plan: EntryPlan, vars: JsonObject): string | undefined {
  if (!plan.varNames.has(variable)) return undefined;
  const near = closest(variable, plan.ownVars);
  return near !== undefined && near !== variable && !readsVariable(plan, near) && near in vars ? near : undefined;
}

/** Whether the entry's fields mention `name` as a variable anywhere (a rough, safe check). */
function readsVariable(plan: EntryPlan, name: string): boolean {
  return new RegExp(`\\b${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`).test(JSON.stringify(plan.fields));
}

function misspeltVar(
  own: string,
  read: string,
  plan: EntryPlan,
  index: number,
  name: string,
  ctx: ExpandContext,
): Problem {
  const at = ctx.source.locate(['tasks', plan.entryIndex, 'vars', own], { key: true });
  return {
    kind: 'template',
    file: ctx.file,
    line: at.line,
    column: at.column,
    taskIndex: index,
    taskName: name,
    field: `vars.${own}`,
    message: `variable ${JSON.stringify(own)} in this task's vars is never read; the template reads ${JSON.stringify(read)}, which is not set: did you mean ${JSON.stringify(read)}?`,
    hint: `rename ${JSON.stringify(own)} to ${JSON.stringify(read)} in this task's vars`,
  };
}

function taskProblem(p: TaskProblem, plan: EntryPlan, index: number, name: string, ctx: ExpandContext): Problem {
  const json =
    p.field === 'detail_json' && plan.detail.kind === 'json'
      ? ctx.source.locate([...plan.detail.level.path, 'detail_json'])
      : undefined;
  const at = json
    ? { line: json.line, column: json.column }
    : locateField(plan, p.field as RenderedField, p.subpath ?? [], ctx);
  return {
    kind: p.kind,
    file: ctx.file,
    ...at,
    taskIndex: index,
    taskName: name,
    field: p.requestField ?? formatPath([p.field, ...(p.subpath ?? [])]),
    message: p.message,
    hint: p.hint,
  };
}

/** Where a field (and a path inside it) was written: the level that set it; for detail, the most specific level that has the path. */
function locateField(
  plan: EntryPlan,
  field: RenderedField | undefined,
  rest: PathSegment[],
  ctx: ExpandContext,
): { line: number; column: number } {
  const levelPath = writtenAt(plan, field, rest, ctx);
  if (field === undefined || !levelPath) return plan.position;
  const at = ctx.source.locate([...levelPath, field, ...rest], { intoTemplates: true });
  return { line: at.line, column: at.column };
}

/** The level (defaults, a template, the task) that wrote a field's value at `rest`. */
function writtenAt(
  plan: EntryPlan,
  field: RenderedField | undefined,
  rest: PathSegment[],
  ctx: ExpandContext,
): PathSegment[] | undefined {
  if (field === undefined) return undefined;
  if (field === 'detail' && plan.detail.kind === 'object') {
    const levels = [...plan.detail.levels].reverse();
    const exact = levels.find((l) => ctx.source.locate([...l.path, 'detail', ...rest], { intoTemplates: true }).exact);
    return (exact ?? levels[0]).path;
  }
  return plan.origins[field]?.path;
}
