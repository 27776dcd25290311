/**
 * A rendered task → its `task_detail` string: a `detail_json` exactly as written, or the rendered
 * `detail` object serialised; within the byte bound.
 */
import { CREATE_LIMITS } from '../fdi/model/validate.js';
import { isPlainObject, type JsonObject, stringifyJson } from '../template/index.js';
import type { DetailSource } from './entry-plan.js';
import { describeValue } from './problem.js';
import type { AddProblem } from './task-problem.js';

/** The detail to send, or undefined when there is none that can be sent (a problem says why). */
export function taskDetail(
  rendered: JsonObject,
  source: DetailSource,
  maxBytes: number,
  add: AddProblem,
): string | undefined {
  const text = detailText(rendered, source, add);
  if (text === undefined) return undefined;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > maxBytes) {
    add({
      field: source.kind === 'json' ? 'detail_json' : 'detail',
      kind: 'bound',
      message: `task_detail is ${bytes.toLocaleString('en-US')} bytes; at most ${maxBytes.toLocaleString('en-US')} are allowed`,
      hint: 'make the detail smaller, or raise maxDetailBytes',
    });
    return undefined;
  }
  if (text.length < CREATE_LIMITS.taskDetail.min) return undefined;
  return text;
}

function detailText(rendered: JsonObject, source: DetailSource, add: AddProblem): string | undefined {
  if (source.kind === 'json') {
    if (!source.problem) return source.text;
    add({ field: 'detail_json', kind: 'constraint', ...source.problem });
    return undefined;
  }
  if (source.kind === 'object') {
    const d = rendered.detail;
    if (isPlainObject(d)) return stringifyJson(d);
    add({
      field: 'detail',
      kind: 'constraint',
      message: `detail must render to a JSON object (got ${describeValue(d)})`,
      hint: 'task_detail is a RawFormDataRequest object; a $if without else, or a $map, may have replaced it',
    });
    return undefined;
  }
  add({
    field: 'detail',
    kind: 'constraint',
    message: 'the task has no detail',
    hint: 'set detail (YAML) or detail_json (a JSON string) in the task, its template or defaults',
  });
  return undefined;
}
