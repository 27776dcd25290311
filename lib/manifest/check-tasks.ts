/**
 * Every task rendered and checked once, as `compileManifest` does before it returns a manifest: the
 * tasks' own problems, names used twice in an instance, instances given more tasks than they hold,
 * and the time all of it takes. Only names (per target) are kept.
 */
import { INSTANCE_TASK_QUOTA } from '../fdi/model/api.js';
import type { EntryPlan } from './entry-plan.js';
import { type ExpandContext, expandPlans, type TaskOutcome } from './expand.js';
import { type ProblemList, quote } from './problem.js';
import type { CompiledManifest, ExpandedTask, Problem, TaskTarget } from './types.js';

/** Renders and checks every task once into `problems`; returns the targets with their task counts. */
export function checkTasks(plans: EntryPlan[], ctx: ExpandContext, problems: ProblemList): CompiledManifest['targets'] {
  const seen = new Map<string, { index: number; line: number }>();
  const perTarget = new Map<string, { target: TaskTarget; tasks: number }>();
  const deadline = performance.now() + ctx.limits.maxTotalRenderMs;
  for (const outcome of expandPlans(plans, ctx)) {
    if (performance.now() > deadline) {
      problems.add(renderTimeProblem(outcome, ctx));
      break;
    }
    for (const p of outcome.problems) problems.add(p, outcome.plan.entryIndex);
    const task = outcome.task;
    if (!task) continue;
    const targetKey = JSON.stringify([task.target.project_id ?? null, task.target.instance_id ?? null]);
    const key = `${targetKey}\u0000${task.name}`;
    const first = seen.get(key);
    if (first) {
      problems.add(duplicateProblem(task, first, outcome.plan, ctx.file));
    } else {
      seen.set(key, { index: task.index, line: task.line });
    }
    const counted = perTarget.get(targetKey) ?? { target: task.target, tasks: 0 };
    counted.tasks += 1;
    perTarget.set(targetKey, counted);
    if (counted.tasks === INSTANCE_TASK_QUOTA + 1) problems.add(quotaProblem(task, ctx.file));
  }
  return [...perTarget.values()];
}

function renderTimeProblem(outcome: TaskOutcome, ctx: ExpandContext): Problem {
  return {
    kind: 'bound',
    file: ctx.file,
    line: outcome.plan.position.line,
    column: outcome.plan.position.column,
    taskIndex: outcome.index,
    taskName: outcome.name,
    message: `rendering the manifest took longer than ${ctx.limits.maxTotalRenderMs.toLocaleString('en-US')} ms (stopped at task #${outcome.index})`,
    hint: 'a template with $map, $reduce or $let is slow for every task of its matrix; simplify it or give the detail as detail_json',
  };
}

function duplicateProblem(
  task: ExpandedTask,
  first: { index: number; line: number },
  plan: EntryPlan,
  file: string,
): Problem {
  const sameNameForAll = plan.hasMatrix && !plan.rawName.includes('${');
  return {
    ...taskPlace(task, file),
    field: 'task.task_name',
    message: `duplicate task name ${quote(task.name)} in ${instanceLabel(task.target)}: task #${first.index} (line ${first.line}) has it too`,
    hint: sameNameForAll
      ? 'the name has no ${…}, so every matrix combination gets the same name; use a variable, e.g. name: "crm-${lowercase(table)}"'
      : 'task names are unique per instance; rename one, or give them different targets',
  };
}

/** Reported once per instance, at the first task over the quota. */
function quotaProblem(task: ExpandedTask, file: string): Problem {
  return {
    ...taskPlace(task, file),
    field: 'target',
    message: `more than ${INSTANCE_TASK_QUOTA.toLocaleString('en-US')} tasks go to ${instanceLabel(task.target)}; an instance holds at most ${INSTANCE_TASK_QUOTA.toLocaleString('en-US')} tasks`,
    hint: 'spread the tasks over instances with target.instance_id (a matrix variable works well)',
  };
}

function instanceLabel(t: TaskTarget): string {
  return t.instance_id ? `instance ${quote(t.instance_id)}` : 'the default instance';
}

/** A constraint problem at a task's entry. */
function taskPlace(task: ExpandedTask, file: string) {
  return {
    kind: 'constraint' as const,
    file,
    line: task.line,
    column: task.column,
    taskIndex: task.index,
    taskName: task.name,
  };
}
