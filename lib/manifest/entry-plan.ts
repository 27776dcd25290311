/**
 * The data a task entry is prepared into before anything is rendered: the levels it inherits from,
 * the merged fields, where each came from, its variables and its matrix.
 */
import type { JsonObject, MatrixSpec, PreparedTemplate } from '../template/index.js';
import type { PathSegment, Position } from './locate.js';
import type { TaskSettingsInput } from './schema.js';

/** One level of settings a task inherits from, with its place in the document. */
export interface Level {
  path: PathSegment[];
  data: TaskSettingsInput;
}

/** The task fields that are rendered, in the order of the create request. */
export const RENDERED_FIELDS = [
  'name',
  'task_type',
  'source_datasource',
  'target_datasource',
  'description',
  'task_tag',
  'target',
  'schedule',
  'start',
  'run_now',
  'detail',
] as const;
/** One of RENDERED_FIELDS. */
export type RenderedField = (typeof RENDERED_FIELDS)[number];

/** Where the task detail comes from: `detail` objects merged down the levels, or one `detail_json` text. */
export type DetailSource =
  | { kind: 'object'; levels: Level[] }
  | { kind: 'json'; text: string; level: Level; problem?: { message: string; hint: string } | undefined }
  | { kind: 'none' };

/** Everything needed to expand one task entry, prepared once. */
export interface EntryPlan {
  entryIndex: number;
  position: Position;
  /** The name as written (a template). */
  rawName: string;
  /** Merged fields to render with json-e; absent fields are left out. */
  fields: JsonObject;
  /** The same, split into static and dynamic parts once. */
  prepared: PreparedTemplate;
  /** The level each field comes from (for locating problems). */
  origins: Partial<Record<RenderedField, Level>>;
  detail: DetailSource;
  /** Variables before the matrix: manifest < defaults < template < task. */
  vars: JsonObject;
  /** The names the entry sets itself (its own `vars`). */
  ownVars: string[];
  /** Every variable name set anywhere in the manifest (to tell a task's typo from a template's). */
  varNames: ReadonlySet<string>;
  matrix?: MatrixSpec | undefined;
  /** Tasks this entry expands to. */
  count: number;
  /** Index of its first task in the whole manifest's expansion order (entries before it may be broken). */
  startIndex: number;
  /** Whether the fields use json-e operators (rendered under the time budget). */
  guarded: boolean;
  hasMatrix: boolean;
}
