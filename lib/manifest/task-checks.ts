/**
 * A rendered task → an ExpandedTask, checked: rendered types, the schedule, the detail, and then the
 * create-call rules through the shared validator (lib/fdi/model/validate.ts) on the body that would be sent,
 * with a placeholder for data sources that are given by name.
 */
import type { TaskType } from '../fdi/model/api.js';
import type { JsonObject } from '../template/index.js';
import type { EntryPlan } from './entry-plan.js';
import { requestProblems } from './request-checks.js';
import { taskDetail } from './task-detail.js';
import { checkFields } from './task-fields.js';
import type { TaskProblem } from './task-problem.js';
import type { ExpandedTask, TaskTarget } from './types.js';

/** What a rendered task needs from its manifest: its place in the expansion order, the target, the bound. */
export interface FinishOptions {
  index: number;
  manifestTarget: TaskTarget;
  maxDetailBytes: number;
}

/** Checks a rendered task and builds the ExpandedTask when it has no problem. */
export function finishTask(
  rendered: JsonObject,
  plan: EntryPlan,
  opts: FinishOptions,
): { task?: ExpandedTask; problems: TaskProblem[] } {
  const problems: TaskProblem[] = [];
  const add = (p: TaskProblem) => problems.push(p);
  const fields = checkFields(rendered, opts.manifestTarget, add);
  const detail = taskDetail(rendered, plan.detail, opts.maxDetailBytes, add);
  problems.push(...requestProblems(rendered, fields, detail));

  const { name, source, targetDs, description, tag, schedule, start, runNow } = fields;
  // Without a problem these are all set (a check that leaves one unset reports why); the test narrows the types.
  if (
    problems.length ||
    name === undefined ||
    !source ||
    !targetDs ||
    detail === undefined ||
    start === undefined ||
    runNow === undefined
  )
    return { problems };
  const task: ExpandedTask = {
    index: opts.index,
    name,
    line: plan.position.line,
    column: plan.position.column,
    target: fields.target,
    task_type: rendered.task_type as TaskType,
    source,
    target_ds: targetDs,
    ...(description !== undefined && { description }),
    ...(tag !== undefined && { task_tag: tag }),
    task_detail: detail,
    ...(schedule && { schedule }),
    start,
    ...(runNow && { run_now: true }),
  };
  return { task, problems };
}
