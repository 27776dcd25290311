/** A problem of one rendered task, before it is located (expand.ts locates it). */
import type { RenderedField } from './entry-plan.js';
import type { ProblemKind } from './types.js';

/** A problem of one rendered task, before it is located. */
export interface TaskProblem {
  field: RenderedField | 'detail_json';
  /** Path inside the field (e.g. the key of a schedule). */
  subpath?: string[] | undefined;
  /** The create-request field, for problems found by the validator. */
  requestField?: string | undefined;
  kind: ProblemKind;
  message: string;
  hint?: string | undefined;
}

/** Where the checks of a rendered task put what they find, in the order they find it. */
export type AddProblem = (p: TaskProblem) => void;
