import { describe, expect, it } from 'vitest';
import type { CreateTaskRequest, TaskResponse } from '../../../lib/fdi/model/api.js';
import { existingFingerprint, requestFingerprint, sameDefinition } from '../../../lib/plan/fingerprint.js';

const sent: CreateTaskRequest = {
  task: {
    task_name: 'crm-node',
    task_type: 'TIMING',
    source_datasource_id: 'src',
    target_datasource_id: 'dst',
    task_tag: 'crm_sync',
  },
  task_detail: '{"a":{"x":1,"y":[1,2,{"k":"v"}]},"__proto__":{"p":1},"b":"text"}',
};

/** The task as FDI shows it back: lower-case type, and a detail that may be re-serialised. */
function shown(detail: string, overrides: Partial<TaskResponse['task']> = {}): TaskResponse {
  return {
    task: {
      task_id: 't1',
      task_name: 'crm-node',
      task_type: 'timing',
      source_datasource_id: 'src',
      target_datasource_id: 'dst',
      task_tag: 'crm_sync',
      ...overrides,
    },
    task_detail: detail,
  } as TaskResponse;
}

describe('fingerprints', () => {
  it('match a task shown back with its detail re-serialised: other key order, whitespace, number spelling', () => {
    const same = '{ "b": "text", "__proto__": {"p": 1.0}, "a": { "y": [1, 2, {"k": "v"}], "x": 1e0 } }';
    expect(existingFingerprint(shown(same))).toBe(requestFingerprint(sent));
    expect(existingFingerprint(shown(sent.task_detail))).toBe(requestFingerprint(sent));
  });
  it('differ for any other definition', () => {
    expect(existingFingerprint(shown('{"a":{"x":1,"y":[2,1,{"k":"v"}]},"__proto__":{"p":1},"b":"text"}'))).not.toBe(
      requestFingerprint(sent),
    );
    expect(existingFingerprint(shown('{"a":{"x":1,"y":[1,2,{"k":"v"}]},"b":"text"}'))).not.toBe(
      requestFingerprint(sent),
    );
    expect(existingFingerprint(shown(sent.task_detail, { task_tag: 'other_tag' }))).not.toBe(requestFingerprint(sent));
    expect(existingFingerprint(shown(sent.task_detail, { target_datasource_id: 'elsewhere' }))).not.toBe(
      requestFingerprint(sent),
    );
    expect(existingFingerprint(shown(sent.task_detail, { task_type: 'realtime' }))).not.toBe(requestFingerprint(sent));
  });
  it('sameDefinition: compares the detail when FDI shows it in the form sent, else the fields and the values', () => {
    expect(sameDefinition(shown('{"b":"text","a":{"y":[1,2,{"k":"v"}],"x":1},"__proto__":{"p":1}}'), sent)).toBe(true);
    expect(sameDefinition(shown('{"b":"other","a":{"y":[1,2,{"k":"v"}],"x":1},"__proto__":{"p":1}}'), sent)).toBe(
      false,
    );
    // RawFormDataResponse (docs/FDI-API.md §5): snake_case, fields of its own. Keys cannot be compared;
    // every value sent must still be among its values.
    const responseForm = (b: string) =>
      JSON.stringify({
        project_id: 'p',
        task_name: 'crm-node',
        task_type: 'timing',
        source_ds_id: 'src',
        a: { x: 1, y: [1, 2, { k: 'v' }] },
        b_text: b,
        proto: { p: 1 },
      });
    expect(sameDefinition(shown(responseForm('text')), sent)).toBe(true);
    expect(sameDefinition(shown(responseForm('other')), sent)).toBe(false);
    expect(sameDefinition(shown(responseForm('text'), { task_tag: 'other_tag' }), sent)).toBe(false);
    // A detail the service completed with fields of its own is not the form sent either; a value it lacks
    // (here `y`'s 2 and "v") still proves a difference.
    expect(sameDefinition(shown('{"b":"text","a":{"x":1,"y":[]},"__proto__":{"p":1},"created_by":"fdi"}'), sent)).toBe(
      false,
    );
    expect(
      sameDefinition(
        shown('{"b":"text","a":{"x":1,"y":[1,2,{"k":"v"}]},"__proto__":{"p":1},"created_by":"fdi"}'),
        sent,
      ),
    ).toBe(true);
    // An unexpected answer is neither same nor different; the callers decide.
    expect(sameDefinition({ task: {} } as TaskResponse, sent)).toBeUndefined();
    // The fingerprints of the two forms differ: on_exists: update judges with the record (docs/DRIFT.md).
    expect(existingFingerprint(shown(responseForm('text')))).not.toBe(requestFingerprint(sent));
  });
});
