/**
 * The manifest pipeline: decode → parse → schema → entry plans → bounds → every task rendered and
 * checked once (streaming; only names are kept, for the duplicate check). Problems come back as data.
 */
import { INSTANCE_TASK_QUOTA } from '../fdi/model/api.js';
import { Renderer } from '../template/index.js';
import { decodeManifest } from './decode.js';
import { type EntryPlan, entryCount, levelProblems, planEntry, varNameProblems } from './entries.js';
import { type ExpandContext, expandPlans } from './expand.js';
import { resolveLimits } from './limits.js';
import type { PathSegment } from './locate.js';
import { parseManifestText } from './parse.js';
import { ProblemList, quote } from './problem.js';
import { formatPath, schemaProblems } from './schema-problems.js';
import type { ManifestInput } from './schema.js';
import type { CompiledManifest, ExpandedTask, ManifestLimits, ManifestOptions, Problem, TaskTarget } from './types.js';

/** Parse + schema + full expansion check. Never throws for user input: problems come back as data. */
export function compileManifest(
  text: string | Uint8Array,
  file: string,
  limitsIn?: Partial<ManifestLimits>,
): { manifest?: CompiledManifest; problems: Problem[] } {
  const limits = resolveLimits(limitsIn);
  const decoded = decodeManifest(text, file, limits.maxBytes);
  if (!decoded.ok) return { problems: [decoded.problem] };
  const { parsed, problems: parseProblems } = parseManifestText(decoded.text, file, limits);
  if (!parsed) return { problems: parseProblems };
  const { source, data } = parsed;

  const schema = schemaProblems(data, source, file);
  const problems = new ProblemList();
  const broken = brokenParts(schema.map((p) => p.path));
  const raw = data as ManifestInput;
  const structural: Problem[] = schema.map(({ path: _path, ...p }) => p);
  if (!broken.has('global')) {
    structural.push(...varNameProblems(raw.vars, ['vars'], file, source));
    if (raw.defaults) structural.push(...levelProblems({ path: ['defaults'], data: raw.defaults }, file, source));
    for (const [name, t] of Object.entries(raw.templates ?? {})) {
      const found = levelProblems({ path: ['templates', name], data: t }, file, source);
      if (found.length) broken.add(`templates.${name}`);
      structural.push(...found);
    }
  }
  if (structural.some((p) => p.field === 'vars' || p.field?.startsWith('vars') || p.field?.startsWith('defaults')))
    broken.add('global');

  const plans: EntryPlan[] = [];
  let taskCount = 0;
  if (!broken.has('global') && Array.isArray(raw.tasks)) {
    raw.tasks.forEach((entry, i) => {
      const startIndex = taskCount;
      taskCount += entryCount(entry);
      if (broken.has(`tasks.${i}`)) return;
      if (entry.template !== undefined && broken.has(`templates.${entry.template}`)) return;
      const { plan, problems: found } = planEntry(raw, i, file, source);
      structural.push(...found);
      if (plan) plans.push({ ...plan, startIndex });
    });
  }
  structural.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  for (const p of structural) problems.add(p);

  const countProblem = checkCount(plans, taskCount, limits, file);
  if (countProblem) return { problems: [...problems.list(), countProblem] };

  const manifestTarget: TaskTarget = { ...(raw.target ?? {}) };
  const ctx = (): ExpandContext => ({
    file,
    source,
    manifestTarget,
    limits,
    // The whole rendered task may be somewhat larger than its detail; past twice the bound it is runaway output.
    renderer: new Renderer({
      maxRangeLength: limits.maxRangeLength,
      maxStringLength: limits.maxDetailBytes,
      maxValueLength: 2 * limits.maxDetailBytes + 65_536,
      maxRenderMs: limits.maxRenderMs,
    }),
  });
  const targets = checkTasks(plans, ctx(), problems);
  if (problems.size) return { problems: problems.list() };

  const manifest: CompiledManifest = {
    file,
    version: 1,
    target: manifestTarget,
    options: toOptions(raw),
    taskCount,
    targets,
    tasks: () => streamTasks(plans, ctx()),
  };
  return { manifest, problems: [] };
}

/** Which parts cannot be expanded because the schema rejected them. */
function brokenParts(paths: PathSegment[][]): Set<string> {
  const out = new Set<string>();
  for (const path of paths) {
    const [head, second] = path;
    if (head === 'tasks' && typeof second === 'number') out.add(`tasks.${second}`);
    else if (head === 'templates' && second !== undefined) out.add(`templates.${String(second)}`);
    else if (head === 'defaults' || head === 'vars' || head === 'target' || head === 'templates' || head === 'tasks')
      out.add('global');
  }
  return out;
}

function checkCount(plans: EntryPlan[], total: number, limits: ManifestLimits, file: string): Problem | undefined {
  if (total <= limits.maxTasks || plans.length === 0) return undefined;
  const biggest = plans.reduce((a, b) => (b.count > a.count ? b : a));
  const sizes = biggest.matrix?.dimensions.map(([, v]) => v.length).join(' × ');
  return {
    kind: 'bound',
    file,
    ...biggest.position,
    field: formatPath(['tasks', biggest.entryIndex, 'matrix']),
    message: `the manifest expands to ${total.toLocaleString('en-US')} tasks; at most ${limits.maxTasks.toLocaleString('en-US')} are allowed (tasks[${biggest.entryIndex}] alone makes ${biggest.count.toLocaleString('en-US')}${sizes ? `: ${sizes}` : ''})`,
    hint: 'split the manifest into several files, or shrink the matrix',
  };
}

/** Renders and checks every task once, keeping only names (per target) for the duplicate and quota checks. */
function checkTasks(plans: EntryPlan[], ctx: ExpandContext, problems: ProblemList): CompiledManifest['targets'] {
  const seen = new Map<string, { index: number; line: number }>();
  const perTarget = new Map<string, { target: TaskTarget; tasks: number }>();
  const deadline = performance.now() + ctx.limits.maxTotalRenderMs;
  for (const outcome of expandPlans(plans, ctx)) {
    if (performance.now() > deadline) {
      problems.add({
        kind: 'bound',
        file: ctx.file,
        line: outcome.plan.position.line,
        column: outcome.plan.position.column,
        taskIndex: outcome.index,
        taskName: outcome.name,
        message: `rendering the manifest took longer than ${ctx.limits.maxTotalRenderMs.toLocaleString('en-US')} ms (stopped at task #${outcome.index})`,
        hint: 'a template with $map, $reduce or $let is slow for every task of its matrix; simplify it or give the detail as detail_json',
      });
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
    if (counted.tasks === INSTANCE_TASK_QUOTA + 1) {
      problems.add({
        kind: 'constraint',
        file: ctx.file,
        line: task.line,
        column: task.column,
        taskIndex: task.index,
        taskName: task.name,
        field: 'target',
        message: `more than ${INSTANCE_TASK_QUOTA.toLocaleString('en-US')} tasks go to ${instanceLabel(task.target)}; an instance holds at most ${INSTANCE_TASK_QUOTA.toLocaleString('en-US')} tasks`,
        hint: 'spread the tasks over instances with target.instance_id (a matrix variable works well)',
      });
    }
  }
  return [...perTarget.values()];
}

function instanceLabel(t: TaskTarget): string {
  return t.instance_id ? `instance ${quote(t.instance_id)}` : 'the default instance';
}

function duplicateProblem(
  task: ExpandedTask,
  first: { index: number; line: number },
  plan: EntryPlan,
  file: string,
): Problem {
  const sameNameForAll = plan.hasMatrix && !plan.rawName.includes('${');
  return {
    kind: 'constraint',
    file,
    line: task.line,
    column: task.column,
    taskIndex: task.index,
    taskName: task.name,
    field: 'task.task_name',
    message: `duplicate task name ${quote(task.name)} in ${instanceLabel(task.target)}: task #${first.index} (line ${first.line}) has it too`,
    hint: sameNameForAll
      ? 'the name has no ${…}, so every matrix combination gets the same name; use a variable, e.g. name: "crm-${lowercase(table)}"'
      : 'task names are unique per instance; rename one, or give them different targets',
  };
}

function* streamTasks(plans: EntryPlan[], ctx: ExpandContext): Generator<ExpandedTask> {
  for (const outcome of expandPlans(plans, ctx)) {
    if (!outcome.task) {
      // compileManifest checked every task; only a render that depends on the clock or the time budget can differ.
      const first = outcome.problems[0];
      throw new Error(
        `task #${outcome.index} ${quote(outcome.name)} no longer renders: ${first?.message ?? 'unknown problem'}`,
      );
    }
    yield outcome.task;
  }
}

function toOptions(raw: ManifestInput): ManifestOptions {
  const o = raw.options ?? {};
  return {
    ...(o.concurrency !== undefined && { concurrency: o.concurrency }),
    ...(o.rate !== undefined && { rate: o.rate }),
    ...(o.max_attempts !== undefined && { max_attempts: o.max_attempts }),
    on_exists: o.on_exists ?? 'skip',
    ...(o.failure_threshold && { failure_threshold: { ...o.failure_threshold } }),
  };
}
