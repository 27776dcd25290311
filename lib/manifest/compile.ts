/**
 * The manifest pipeline: decode → parse → schema → entry plans → bounds → every task rendered and
 * checked once (streaming; only names are kept, for the duplicate check). Problems come back as data.
 */
import { Renderer } from '../template/index.js';
import { checkStructure } from './check-structure.js';
import { checkTasks } from './check-tasks.js';
import { decodeManifest } from './decode.js';
import type { EntryPlan } from './entry-plan.js';
import { type ExpandContext, expandPlans } from './expand.js';
import { resolveLimits } from './limits.js';
import type { SourceMap } from './locate.js';
import { parseManifestText } from './parse.js';
import { ProblemList, formatPath, quote } from './problem.js';
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

  const { problems: structural, plans, taskCount } = checkStructure(data, source, file);
  const problems = new ProblemList();
  for (const p of structural) problems.add(p);
  const countProblem = checkCount(plans, taskCount, limits, file);
  if (countProblem) return { problems: [...problems.list(), countProblem] };

  const raw = data as ManifestInput;
  const manifestTarget: TaskTarget = { ...(raw.target ?? {}) };
  const ctx = (): ExpandContext => expandContext(file, source, manifestTarget, limits);
  const targets = checkTasks(plans, ctx(), problems);
  if (problems.size) return { problems: problems.list() };

  const manifest: CompiledManifest = {
    file,
    version: 1,
    retryOf: raw.retry_of,
    target: manifestTarget,
    options: toOptions(raw),
    optionsAt: optionPositions(raw, source),
    taskCount,
    targets,
    tasks: () => streamTasks(plans, ctx()),
  };
  return { manifest, problems: [] };
}

function expandContext(
  file: string,
  source: SourceMap,
  manifestTarget: TaskTarget,
  limits: ManifestLimits,
): ExpandContext {
  return {
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
  };
}

/** The bound on expanded tasks, counted from matrix sizes before anything is rendered. */
function checkCount(plans: EntryPlan[], total: number, limits: ManifestLimits, file: string): Problem | undefined {
  if (total <= limits.maxTasks || plans.length === 0) return undefined;
  const biggest = plans.reduce((a, b) => (b.count > a.count ? b : a));
  const sizes = biggest.matrix?.dimensions.map(([, v]) => v.length).join(' × ');
  return {
    kind: 'bound',
    file,
    ...biggest.position,
    field: formatPath(['tasks', biggest.entryIndex, 'matrix']),
    message:
      `the manifest expands to ${total.toLocaleString('en-US')} tasks; ` +
      `at most ${limits.maxTasks.toLocaleString('en-US')} are allowed ` +
      `(tasks[${biggest.entryIndex}] alone makes ${biggest.count.toLocaleString('en-US')}${sizes ? `: ${sizes}` : ''})`,
    hint: 'split the manifest into several files, or shrink the matrix',
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

function optionPositions(raw: ManifestInput, source: SourceMap): CompiledManifest['optionsAt'] {
  const at: NonNullable<CompiledManifest['optionsAt']> = {};
  for (const k of Object.keys(raw.options ?? {}) as Array<keyof ManifestOptions>) {
    const { line, column } = source.locate(['options', k], { key: true });
    at[k] = { line, column };
  }
  return at;
}

function toOptions(raw: ManifestInput): ManifestOptions {
  const o = raw.options ?? {};
  return {
    ...(o.concurrency !== undefined && { concurrency: o.concurrency }),
    ...(o.rate !== undefined && { rate: o.rate }),
    ...(o.max_attempts !== undefined && { max_attempts: o.max_attempts }),
    on_exists: o.on_exists ?? 'skip',
    ...(o.failure_threshold && { failure_threshold: { ...o.failure_threshold } }),
    ...(o.verify !== undefined && { verify: o.verify }),
  };
}
