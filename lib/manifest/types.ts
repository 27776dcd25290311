/**
 * The manifest's public data model: what `compileManifest` returns and the engine consumes.
 * Plain data; no behaviour.
 */
import type { TaskDispatch, TaskType } from '../fdi/model/api.js';
import type { OnExists } from '../types.js';

/** What kind of rule a problem breaks (decides nothing; helps readers and reports group them). */
export type ProblemKind = 'syntax' | 'schema' | 'template' | 'constraint' | 'bound' | 'encoding';

/** One located problem of a manifest. A manifest's problems are all reported at once. */
export interface Problem {
  /** What is wrong and how to fix it, e.g. `unknown key "task_tg" in task; did you mean "task_tag"?` */
  message: string;
  file: string;
  /** 1-based. */
  line?: number | undefined;
  /** 1-based. */
  column?: number | undefined;
  /** The expanded task it belongs to: 0-based index in expansion order. */
  taskIndex?: number | undefined;
  taskName?: string | undefined;
  /** The field, e.g. `tasks[3].matrix` (manifest path) or `task.task_name` (create-request field). */
  field?: string | undefined;
  hint?: string | undefined;
  kind: ProblemKind;
  /** How many more tasks of the same task entry had exactly this problem (reported once). */
  repeats?: number | undefined;
}

/** The bounds of reading, parsing and expanding one manifest. */
export interface ManifestLimits {
  /** Size of the manifest file in bytes (checked before parsing). */
  maxBytes: number;
  /** YAML alias expansions (`*name`), against "billion laughs" documents. */
  maxAliases: number;
  /** Nesting of YAML collections. */
  maxDepth: number;
  /** YAML nodes (scalars and collections), counted by a cheap scan before the document is built. */
  maxNodes: number;
  /** Expanded tasks (counted from matrix sizes before anything is expanded). */
  maxTasks: number;
  /** UTF-8 bytes of one rendered `task_detail` string; also bounds every json-e intermediate string. */
  maxDetailBytes: number;
  /** Length of a list made by json-e's `range()`. */
  maxRangeLength: number;
  /** Wall-clock time to render one task that uses json-e operators (`$map`, `$let`, `$reduce`, …). */
  maxRenderMs: number;
  /** Time to render and check every task of the manifest, all together (a slow template times many tasks). */
  maxTotalRenderMs: number;
}

/** A data source as the manifest names it: an ID used as is, or a name resolved by plan/apply. */
export type DatasourceRef = { id: string } | { name: string };

/** Where a task goes. Missing parts come from configuration (flags, environment) later. */
export interface TaskTarget {
  project_id?: string | undefined;
  instance_id?: string | undefined;
}

/** One task after defaults, template, vars and matrix are applied and json-e has rendered it. */
export interface ExpandedTask {
  /** 0-based, in expansion order. */
  index: number;
  name: string;
  /** Where the task entry (the list item) is in the manifest. */
  line: number;
  column: number;
  /** The manifest's target with the task's own target merged over it. */
  target: TaskTarget;
  task_type: TaskType;
  source: DatasourceRef;
  target_ds: DatasourceRef;
  /** Where the manifest writes the data-source names (for planning's messages about them). */
  namesAt?: { source: { line: number; column: number }; target: { line: number; column: number } } | undefined;
  description?: string | undefined;
  task_tag?: string | undefined;
  /** The rendered JSON string, exactly what is POSTed. */
  task_detail: string;
  /** The API's dispatch form (use_quartz_cron+cron, or period+dispatch_interval). TIMING tasks only. */
  schedule?: TaskDispatch | undefined;
  start: boolean;
  /** Trigger one execution right after this run creates or updates it (TIMING tasks only). */
  run_now?: boolean | undefined;
}

/** The manifest's `options:` block, validated and bounded. */
export interface ManifestOptions {
  concurrency?: number | undefined;
  /** Requests per second. */
  rate?: number | undefined;
  max_attempts?: number | undefined;
  /** What to do with a task whose name already exists in its instance (default `skip`). */
  on_exists: OnExists;
  failure_threshold?: { percent: number; min_attempted: number };
  /** After apply, wait up to this many seconds for the executions of the tasks it started or ran (docs/VERIFY.md). */
  verify?: number | undefined;
}

/** A manifest that has no problems, ready to be planned and applied. */
/** What a failed.yaml retries: the manifest, its run, and the report folder of both. */
export interface RetryOf {
  manifest: string;
  run_id: string;
  path: string;
}

export interface CompiledManifest {
  file: string;
  version: 1;
  /** Set in a failed.yaml: its reports go with the run it retries. */
  retryOf?: RetryOf | undefined;
  target: TaskTarget;
  options: ManifestOptions;
  /** Where each option the manifest sets is written (for messages about it, e.g. the operator's policy). */
  optionsAt?: Partial<Record<keyof ManifestOptions, { line: number; column: number }>> | undefined;
  /** Number of expanded tasks (computed without rendering details). */
  taskCount: number;
  /** The distinct targets of the tasks (manifest target merged with each task's), in first-use order, with their task counts. */
  targets: Array<{ target: TaskTarget; tasks: number }>;
  /** Lazy: renders one task at a time; never holds all rendered details. Each call starts over. */
  tasks(): Iterable<ExpandedTask>;
}
