/**
 * The manifest's structure, checked before anything is rendered: the schema, then what the schema
 * cannot say about the shared levels (vars, defaults, templates) and about each task entry. A part the
 * schema rejected is not looked into further; an entry is planned only when it and what it inherits
 * are intact.
 */
import { entryCount, planEntry } from './entries.js';
import type { EntryPlan } from './entry-plan.js';
import { levelProblems, varNameProblems } from './level-checks.js';
import type { PathSegment, SourceMap } from './locate.js';
import { schemaProblems } from './schema-problems.js';
import type { ManifestInput } from './schema.js';
import type { Problem } from './types.js';

/** The structure's problems, in document order, and the plans of the entries that can be expanded. */
export interface Structure {
  problems: Problem[];
  plans: EntryPlan[];
  /** Tasks of every entry, broken ones included (each counts as its matrix size, or 1). */
  taskCount: number;
}

/** Checks the structure of a parsed manifest and plans its intact entries. */
export function checkStructure(data: unknown, source: SourceMap, file: string): Structure {
  const schema = schemaProblems(data, source, file);
  const raw = data as ManifestInput;
  const broken = brokenParts(schema.map((p) => p.path));
  const problems: Problem[] = schema.map(({ path: _path, ...p }) => p);
  if (!broken.has('global')) {
    const shared = sharedLevelProblems(raw, file, source);
    for (const name of shared.brokenTemplates) broken.add(`templates.${name}`);
    problems.push(...shared.problems);
  }
  if (problems.some(spoilsEveryEntry)) broken.add('global');
  const entries =
    !broken.has('global') && Array.isArray(raw.tasks)
      ? planEntries(raw, broken, file, source)
      : { problems: [], plans: [], taskCount: 0 };
  problems.push(...entries.problems);
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  return { problems, plans: entries.plans, taskCount: entries.taskCount };
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

/** Problems of the manifest's vars, defaults and templates; a template with one is not used, the rest still are. */
function sharedLevelProblems(
  raw: ManifestInput,
  file: string,
  source: SourceMap,
): { problems: Problem[]; brokenTemplates: string[] } {
  const problems = varNameProblems(raw.vars, ['vars'], file, source);
  if (raw.defaults) problems.push(...levelProblems({ path: ['defaults'], data: raw.defaults }, file, source));
  const brokenTemplates: string[] = [];
  for (const [name, t] of Object.entries(raw.templates ?? {})) {
    const found = levelProblems({ path: ['templates', name], data: t }, file, source);
    if (found.length) brokenTemplates.push(name);
    problems.push(...found);
  }
  return { problems, brokenTemplates };
}

/** A problem in what every task inherits (the manifest's vars, the defaults) leaves no task worth expanding. */
function spoilsEveryEntry(p: Problem): boolean {
  return p.field !== undefined && (p.field.startsWith('vars') || p.field.startsWith('defaults'));
}

/** Plans every entry that is intact and does not use a broken template; counts the tasks of all of them. */
function planEntries(
  raw: ManifestInput,
  broken: ReadonlySet<string>,
  file: string,
  source: SourceMap,
): { problems: Problem[]; plans: EntryPlan[]; taskCount: number } {
  const problems: Problem[] = [];
  const plans: EntryPlan[] = [];
  let taskCount = 0;
  const varNames = variableNames(raw);
  raw.tasks.forEach((entry, i) => {
    const startIndex = taskCount;
    taskCount += entryCount(entry);
    if (broken.has(`tasks.${i}`)) return;
    if (entry.template !== undefined && broken.has(`templates.${entry.template}`)) return;
    const { plan, problems: found } = planEntry(raw, i, file, source, varNames);
    problems.push(...found);
    if (plan) plans.push({ ...plan, startIndex });
  });
  return { problems, plans, taskCount };
}

/** Every variable name the manifest sets anywhere: its vars, the defaults', the templates', the tasks' and matrix keys. */
function variableNames(raw: ManifestInput): ReadonlySet<string> {
  const names = new Set<string>();
  const add = (o: unknown) => {
    if (o && typeof o === 'object' && !Array.isArray(o)) for (const k of Object.keys(o)) names.add(k);
  };
  add(raw.vars);
  add((raw.defaults as { vars?: unknown } | undefined)?.vars);
  const templates = raw.templates && typeof raw.templates === 'object' ? raw.templates : {};
  for (const t of Object.values(templates)) add((t as { vars?: unknown } | null)?.vars);
  for (const entry of raw.tasks as unknown[]) {
    // Entries the schema refused may be anything here.
    if (!entry || typeof entry !== 'object') continue;
    const e = entry as { vars?: unknown; matrix?: unknown };
    add(e.vars);
    const matrix = e.matrix && typeof e.matrix === 'object' ? (e.matrix as Record<string, unknown>) : undefined;
    for (const [k, v] of Object.entries(matrix ?? {})) {
      if (k !== 'include') names.add(k);
      else if (Array.isArray(v)) v.forEach(add);
    }
  }
  return names;
}
