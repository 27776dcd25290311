/**
 * A compiled manifest against the operator's policy (docs/SECURITY.md, "The policy"): every way it
 * breaks the rule that governs its object key, each as a located error naming the rule and the field,
 * so that the run is rejected before anything is sent. And the limits of a run, held to the rule's
 * bounds. Pure.
 */
import type { Limits } from '../config.js';
import type { CompiledManifest, ManifestOptions } from '../manifest/index.js';
import { resolveTarget, type TargetDefaults } from '../plan/targets.js';
import type { ManifestError, Operation } from '../report/types.js';
import { targetKey, type Target } from '../types.js';
import { idAllowed, ruleFor, ruleName, type Policy, type PolicyRule } from './policy.js';

/** What the policy says of one manifest: the rule that governs it, and how the manifest breaks it. */
export interface Judgement {
  rule?: PolicyRule | undefined;
  errors: ManifestError[];
}

/** The option a bound caps, and how messages name both. */
const BOUNDED = [
  { bound: 'max_rate', option: 'rate' },
  { bound: 'max_concurrency', option: 'concurrency' },
  { bound: 'max_attempts', option: 'max_attempts' },
] as const satisfies ReadonlyArray<{ bound: keyof PolicyRule; option: keyof ManifestOptions }>;

/** The rule for `key` and every way `manifest` breaks it (none: the manifest may run). */
export function judgeManifest(
  policy: Policy,
  key: string,
  manifest: CompiledManifest,
  defaults: TargetDefaults,
  operation: Operation = 'apply',
): Judgement {
  const rule = ruleFor(policy, key);
  if (!rule) {
    const covered = policy.rules.map((r) => `"${r.prefix}"`).join(', ');
    return {
      errors: [
        {
          message: `no rule of the operator's policy (${policy.origin}) covers the object key "${key}"; manifests are accepted only under ${covered}`,
          hint: 'upload the manifest under a prefix the policy covers, or ask the operator for a rule',
        },
      ],
    };
  }
  const name = ruleName(rule, policy);
  const errors: ManifestError[] = [];
  const at = (option: keyof ManifestOptions) => manifest.optionsAt?.[option];
  for (const { bound, option } of BOUNDED) {
    const max = rule[bound];
    const asked = manifest.options[option];
    if (max === undefined || asked === undefined || asked <= max) continue;
    errors.push({
      message: `options.${option} is ${asked}, above the ${max} that ${name} allows (${bound})`,
      ...at(option),
      hint: `lower options.${option} to ${max} or leave it out: the run then uses at most ${max}`,
    });
  }
  if (operation === 'destroy' && !rule.destroy) {
    errors.push({
      message: `${name} forbids destroy runs (destroy: false): manifests under "${rule.prefix}" may not delete tasks`,
      line: 1,
      hint: 'ask the operator to allow destroy under this prefix',
    });
  }
  if (operation === 'apply' && manifest.options.on_exists === 'update' && !rule.update) {
    errors.push({
      message: `options.on_exists is "update", which ${name} forbids (update: false): manifests under "${rule.prefix}" may not overwrite tasks`,
      ...at('on_exists'),
      hint: 'use on_exists: skip (or fail), or ask the operator to allow updates under this prefix',
    });
  }
  if (rule.max_tasks !== undefined && manifest.taskCount > rule.max_tasks) {
    errors.push({
      message: `the manifest has ${manifest.taskCount} tasks, more than the ${rule.max_tasks} per manifest that ${name} allows (max_tasks)`,
      line: 1,
      hint: `split it into manifests of at most ${rule.max_tasks} tasks`,
    });
  }
  errors.push(...targetErrors(rule, name, manifest, defaults));
  return { rule, errors };
}

/**
 * Each target the rule does not allow, located at the first task that names it. Compiling counted the
 * targets already; the tasks are walked only when one is refused, to say where.
 */
function targetErrors(
  rule: PolicyRule,
  name: string,
  manifest: CompiledManifest,
  defaults: TargetDefaults,
): ManifestError[] {
  // Several targets as written may reach the same one once the defaults fill them in: their tasks add up.
  const refused = new Map<string, { why: string; tasks: number }>();
  for (const { target, tasks } of manifest.targets) {
    const t = resolveTarget(target, defaults);
    if (typeof t === 'string') continue; // a task without a target is its own error, found later
    const why = refusal(rule, t);
    if (!why) continue;
    const k = targetKey(t);
    refused.set(k, { why, tasks: (refused.get(k)?.tasks ?? 0) + tasks });
  }
  if (refused.size === 0) return [];
  const errors: ManifestError[] = [];
  for (const task of manifest.tasks()) {
    const t = resolveTarget(task.target, defaults);
    if (typeof t === 'string') continue;
    const k = targetKey(t);
    const hit = refused.get(k);
    if (!hit) continue;
    refused.delete(k);
    const others = hit.tasks > 1 ? ` (and ${hit.tasks - 1} more task(s) with the same target)` : '';
    errors.push({
      message: `task "${task.name}" targets ${hit.why}, which ${name} does not allow${others}`,
      line: task.line,
      column: task.column,
      task: task.name,
      hint: `target a project and instance the rule allows (projects: ${rule.projects.join(', ')}; instances: ${rule.instances.join(', ')}), or ask the operator to add it`,
    });
    if (refused.size === 0) break;
  }
  return errors;
}

function refusal(rule: PolicyRule, t: Target): string | undefined {
  if (!idAllowed(t.project_id, rule.projects)) return `project ${t.project_id}`;
  if (!idAllowed(t.instance_id, rule.instances)) return `instance ${t.instance_id}`;
  return undefined;
}

/** The limits of a run held to the rule's bounds (configured limits and flags are lowered, not refused). */
export function boundedLimits(limits: Limits, rule: PolicyRule | undefined): Limits {
  if (!rule) return limits;
  const min = (v: number, max: number | undefined) => (max === undefined ? v : Math.min(v, max));
  return {
    ...limits,
    rate: min(limits.rate, rule.max_rate),
    concurrency: min(limits.concurrency, rule.max_concurrency),
    maxAttempts: min(limits.maxAttempts, rule.max_attempts),
  };
}
