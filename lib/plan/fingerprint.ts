/**
 * Comparing a manifest's task with one FDI shows back. Pure.
 *
 * FDI shows `task_detail` in its response form (RawFormDataResponse, snake_case, with fields of its
 * own; docs/FDI-API.md §5), which cannot be compared key by key with the form sent. What still can be:
 * the task's own fields, and whether every value the sent detail holds appears somewhere in the shown
 * one (a re-keyed form keeps the values). A missing value proves a difference; all values present
 * proves nothing. `on_exists: update` judges with the record of the last apply on top
 * (lib/plan/applied.ts, docs/DRIFT.md); the read-back after an ambiguous create (`sameDefinition`)
 * decides on the fields and the values.
 */
import { createHash } from 'node:crypto';
import type { CreateTaskRequest, TaskResponse } from '../fdi/model/api.js';

/**
 * SHA-256 over the fields that define a task. The detail is compared as JSON, not as text: key order,
 * whitespace and number spelling do not count, so a service that stores the detail re-serialised
 * still matches the manifest.
 */
export function requestFingerprint(req: CreateTaskRequest): string {
  return createHash('sha256')
    .update(taskFields(req))
    .update('\n')
    .update(canonicalDetail(req.task_detail))
    .digest('hex');
}

function taskFields(req: CreateTaskRequest): string {
  const t = req.task;
  return JSON.stringify([
    t.task_name,
    t.task_type,
    t.source_datasource_id,
    t.target_datasource_id,
    t.description ?? null,
    t.task_tag ?? null,
  ]);
}

/**
 * Whether a shown task is defined as `sent`: the task fields, and the detail where it is comparable —
 * where the shown detail has the same top-level keys as the sent one. A detail shown in another form
 * (RawFormDataResponse, or with fields the service adds) leaves the task fields to decide. Undefined
 * when the answer cannot be compared at all (a shape FDI does not document); each caller decides.
 */
export function sameDefinition(shown: TaskResponse, sent: CreateTaskRequest): boolean | undefined {
  const c = compareShown(shown, sent);
  if (!c) return undefined;
  return !c.fieldsDiffer && c.valuesKept;
}

/** A shown task against a request: whether the task fields differ, and the detail where comparable. */
export interface Comparison {
  fieldsDiffer: boolean;
  /** The shown detail is in the form sent (a JSON object with the same top-level keys). */
  comparable: boolean;
  /** Comparable, and the same JSON. */
  identical: boolean;
  /** Every string and number the sent detail holds appears among the shown detail's values. */
  valuesKept: boolean;
}

/** Compares a shown task with a request; undefined when the answer has a shape FDI does not document. */
export function compareShown(shown: TaskResponse, sent: CreateTaskRequest): Comparison | undefined {
  try {
    const fieldsDiffer = taskFields(asRequest(shown)) !== taskFields(sent);
    const a = parseJson(shown.task_detail);
    const b = parseJson(sent.task_detail);
    const comparable = isObject(a) && isObject(b) && topLevelKeys(a) === topLevelKeys(b);
    const identical = comparable && sortedJson(a) === sortedJson(b);
    return { fieldsDiffer, comparable, identical, valuesKept: comparable ? identical : valuesIn(b, a) };
  } catch {
    return undefined;
  }
}

/** Whether every string and number of `sent` is among the scalar values of `shown` (compared as text). */
function valuesIn(sent: unknown, shown: unknown): boolean {
  const have = new Set<string>();
  collectScalars(shown, (v) => have.add(v), true);
  let kept = true;
  collectScalars(sent, (v) => (kept &&= have.has(v)), false);
  return kept;
}

/** Calls `take` with each string and number (and, with `all`, boolean) leaf as text. */
function collectScalars(v: unknown, take: (text: string) => void, all: boolean): void {
  if (Array.isArray(v)) for (const x of v) collectScalars(x, take, all);
  else if (typeof v === 'object' && v !== null) for (const x of Object.values(v)) collectScalars(x, take, all);
  else if (typeof v === 'string' || typeof v === 'number' || (all && typeof v === 'boolean')) take(String(v));
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const topLevelKeys = (o: Record<string, unknown>): string => JSON.stringify(Object.keys(o).sort());

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The detail with object keys sorted at every level (the text as is when it is not JSON). */
function canonicalDetail(detail: string): string {
  try {
    return sortedJson(JSON.parse(detail));
  } catch {
    return detail; // not JSON, or nested past the stack: compared as text
  }
}

function sortedJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(sortedJson).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${sortedJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The fingerprint of a task as FDI shows it (its response uses lowercase task types). */
export function existingFingerprint(res: TaskResponse): string {
  return requestFingerprint(asRequest(res));
}

function asRequest(res: TaskResponse): CreateTaskRequest {
  const t = res.task;
  return {
    task: {
      task_name: t.task_name,
      task_type: t.task_type.toUpperCase() as 'REALTIME' | 'TIMING',
      source_datasource_id: t.source_datasource_id,
      target_datasource_id: t.target_datasource_id,
      description: t.description || undefined,
      task_tag: t.task_tag || undefined,
    },
    task_detail: res.task_detail,
  };
}
