/** The targets of a manifest's tasks: each task's own, else the configured defaults. Pure. */
import type { CompiledManifest, TaskTarget } from '../manifest/index.js';
import type { ManifestError } from '../report/types.js';
import { targetKey, type Target } from '../types.js';

/** The configured target that tasks without their own fall back to. */
export interface TargetDefaults {
  projectId?: string | undefined;
  instanceId?: string | undefined;
}

/** Fills a task's target from the configured defaults; a string says what is missing. */
export function resolveTarget(t: TaskTarget, defaults: TargetDefaults): Target | string {
  const project_id = t.project_id ?? defaults.projectId;
  const instance_id = t.instance_id ?? defaults.instanceId;
  if (project_id && instance_id) return { project_id, instance_id };
  const missing = [
    !project_id && 'project_id (FDI_PROJECT_ID or --project-id)',
    !instance_id && 'instance_id (FDI_INSTANCE_ID or --instance-id)',
  ].filter(Boolean);
  return `no target ${missing.join(' and ')}: set "target" in the manifest or configure it`;
}

/** The distinct targets of a manifest's tasks, and a located error for each task that has none. */
export function collectTargets(
  manifest: CompiledManifest,
  defaults: TargetDefaults,
): { targets: Target[]; missing: ManifestError[] } {
  const targets = new Map<string, Target>();
  // Compiling counted the targets already; the tasks are walked only to name those without one.
  const resolved = manifest.targets.map((t) => resolveTarget(t.target, defaults));
  if (resolved.every((t): t is Target => typeof t !== 'string')) {
    for (const t of resolved) targets.set(targetKey(t), t);
    return { targets: [...targets.values()], missing: [] };
  }
  const missing: ManifestError[] = [];
  for (const task of manifest.tasks()) {
    const t = resolveTarget(task.target, defaults);
    if (typeof t !== 'string') targets.set(targetKey(t), t);
    else missing.push({ message: `task "${task.name}": ${t}`, line: task.line, column: task.column, task: task.name });
  }
  return { targets: [...targets.values()], missing };
}
