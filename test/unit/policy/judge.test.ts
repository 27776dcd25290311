/**
 * A compiled manifest against the operator's policy (docs/SECURITY.md, "How a manifest is judged"):
 * every way it breaks its rule, each located; and the run's limits held to the rule's bounds.
 */
import { describe, expect, it } from 'vitest';
import type { Limits } from '../../../lib/config.js';
import { compileManifest, type CompiledManifest } from '../../../lib/manifest/index.js';
import { boundedLimits, judgeManifest } from '../../../lib/policy/judge.js';
import { parsePolicy, type PolicyRule } from '../../../lib/policy/policy.js';
import { bulkManifest } from '../../helpers/cli.js';

const POLICY = parsePolicy(
  `version: 1
rules:
  - prefix: manifests/team-a/
    projects: [proj-a, "shared-*"]
    instances: [inst-a-1, "inst-a-*"]
    max_tasks: 4
    max_rate: 5
    max_concurrency: 2
    max_attempts: 3
  - prefix: manifests/team-b/
    projects: [proj-b]
    instances: ["*"]
    update: true
    destroy: true
`,
  'FDI_POLICY',
);
const RULE_A = 'rule "manifests/team-a/" (rules[0], line 3 of FDI_POLICY)';
const KEY_A = 'manifests/team-a/wave1.yaml';
const KEY_B = 'manifests/team-b/wave1.yaml';

/** Compiles a manifest that must be valid. */
function compiled(text: string): CompiledManifest {
  const r = compileManifest(text, 'wave1.yaml');
  expect(r.problems).toEqual([]);
  return r.manifest!;
}

/** A manifest with `head` (target, options …) before a template `t` and `tasks` (indent 2). */
const manifest = (head: string, tasks: string) =>
  compiled(`version: 1
${head}templates:
  t:
    task_type: REALTIME
    source_datasource: s1
    target_datasource: s2
    detail: { x: 1 }
tasks:
${tasks}`);

const ONE_TASK = '  - { name: task-one, template: t }\n';

describe('judgeManifest: the rule', () => {
  it('a manifest inside its rule: no errors, and the rule that governs it', () => {
    const m = manifest('target: { project_id: proj-a, instance_id: inst-a-1 }\n', ONE_TASK);
    expect(judgeManifest(POLICY, KEY_A, m, {})).toEqual({ rule: POLICY.rules[0], errors: [] });
    const b = manifest('target: { project_id: proj-b, instance_id: anything }\n', ONE_TASK);
    expect(judgeManifest(POLICY, KEY_B, b, {})).toEqual({ rule: POLICY.rules[1], errors: [] });
  });

  it('no rule covers the key: one error naming the key and every covered prefix', () => {
    const m = manifest('target: { project_id: proj-a, instance_id: inst-a-1 }\n', ONE_TASK);
    const j = judgeManifest(POLICY, 'manifests/team-c/wave1.yaml', m, {});
    expect(j.rule).toBeUndefined();
    expect(j.errors).toEqual([
      {
        message:
          'no rule of the operator\'s policy (FDI_POLICY) covers the object key "manifests/team-c/wave1.yaml"; manifests are accepted only under "manifests/team-a/", "manifests/team-b/"',
        hint: 'upload the manifest under a prefix the policy covers, or ask the operator for a rule',
      },
    ]);
  });

  it('no rule: nothing else is judged (one error even for a manifest that breaks everything)', () => {
    const m = manifest(
      'target: { project_id: evil, instance_id: evil }\noptions: { rate: 999, on_exists: update }\n',
      ONE_TASK,
    );
    expect(judgeManifest(POLICY, 'other/x.yaml', m, {}).errors).toHaveLength(1);
  });
});

describe('judgeManifest: targets', () => {
  it('a project outside the rule: located at the first task with that target, counting the others', () => {
    const m = manifest(
      'target: { instance_id: inst-a-1 }\n',
      `  - { name: good-one, template: t, target: { project_id: proj-a } }
  - name: "bad-\${n}"
    template: t
    target: { project_id: proj-x }
    matrix: { n: ["1", "2", "3"] }
`,
    );
    const j = judgeManifest(POLICY, KEY_A, m, {});
    expect(j.errors).toEqual([
      {
        message: `task "bad-1" targets project proj-x, which ${RULE_A} does not allow (and 2 more task(s) with the same target)`,
        line: 11,
        column: 5,
        task: 'bad-1',
        hint: 'target a project and instance the rule allows (projects: proj-a, shared-*; instances: inst-a-1, inst-a-*), or ask the operator to add it',
      },
    ]);
  });

  it('an instance outside the rule (project allowed): names the instance; one task: no count', () => {
    const m = manifest(
      'target: { project_id: shared-42 }\n',
      `  - { name: task-one, template: t, target: { instance_id: inst-a-7 } }
  - { name: task-two, template: t, target: { instance_id: inst-b-1 } }
`,
    );
    const j = judgeManifest(POLICY, KEY_A, m, {});
    expect(j.errors).toHaveLength(1);
    expect(j.errors[0]).toMatchObject({
      message: `task "task-two" targets instance inst-b-1, which ${RULE_A} does not allow`,
      line: 11,
      task: 'task-two',
    });
  });

  it('both project and instance outside: the project is named', () => {
    const m = manifest('target: { project_id: proj-x, instance_id: inst-x }\n', ONE_TASK);
    expect(judgeManifest(POLICY, KEY_A, m, {}).errors.map((e) => e.message)).toEqual([
      `task "task-one" targets project proj-x, which ${RULE_A} does not allow`,
    ]);
  });

  it('one error per refused target, each at its first task', () => {
    const m = compiled(bulkManifest(6, { prefix: 'k', instances: ['inst-a-1', 'inst-z', 'inst-y'] }));
    // bulkManifest's project is local-project: every target is refused for its project.
    const j = judgeManifest(POLICY, 'manifests/team-b/x.yaml', m, {});
    expect(j.errors.map((e) => [e.task, e.line])).toEqual([
      ['k-0-0000', 12],
      ['k-1-0001', 16],
      ['k-2-0002', 20],
    ]);
    expect(j.errors[0].message).toBe(
      'task "k-0-0000" targets project local-project, which rule "manifests/team-b/" (rules[1], line 10 of FDI_POLICY) does not allow (and 1 more task(s) with the same target)',
    );
  });

  it('targets filled from the configured defaults are judged too', () => {
    const m = manifest('', ONE_TASK);
    expect(judgeManifest(POLICY, KEY_A, m, { projectId: 'proj-a', instanceId: 'inst-a-1' }).errors).toEqual([]);
    expect(
      judgeManifest(POLICY, KEY_A, m, { projectId: 'proj-a', instanceId: 'inst-other' }).errors.map((e) => e.message),
    ).toEqual([`task "task-one" targets instance inst-other, which ${RULE_A} does not allow`]);
    expect(
      judgeManifest(POLICY, KEY_A, m, { projectId: 'proj-z', instanceId: 'inst-a-1' }).errors.map((e) => e.message),
    ).toEqual([`task "task-one" targets project proj-z, which ${RULE_A} does not allow`]);
  });

  it("a default fills only what the manifest leaves out: the manifest's own target wins", () => {
    const m = manifest('target: { instance_id: inst-x }\n', ONE_TASK);
    const j = judgeManifest(POLICY, KEY_A, m, { projectId: 'proj-a', instanceId: 'inst-a-1' });
    expect(j.errors.map((e) => e.message)).toEqual([
      `task "task-one" targets instance inst-x, which ${RULE_A} does not allow`,
    ]);
  });

  it('a task without any target is not a policy error (it is its own error, found later)', () => {
    const m = manifest('', ONE_TASK);
    expect(judgeManifest(POLICY, KEY_A, m, {}).errors).toEqual([]);
    expect(judgeManifest(POLICY, KEY_A, m, { projectId: 'proj-x' }).errors).toEqual([]);
  });

  it('counts every other task of a refused target, also those that reach it through the defaults', () => {
    const m = manifest(
      'target: { project_id: proj-a }\n',
      `  - { name: task-one, template: t, target: { instance_id: inst-x } }
  - { name: task-two, template: t }
  - { name: task-three, template: t }
`,
    );
    const j = judgeManifest(POLICY, KEY_A, m, { instanceId: 'inst-x' });
    expect(j.errors.map((e) => e.message)).toEqual([
      `task "task-one" targets instance inst-x, which ${RULE_A} does not allow (and 2 more task(s) with the same target)`,
    ]);
  });
});

describe('judgeManifest: on_exists update', () => {
  it('forbidden where update is false (the default), at the line of the option', () => {
    const m = manifest(
      'target: { project_id: proj-a, instance_id: inst-a-1 }\noptions:\n  on_exists: update\n',
      ONE_TASK,
    );
    expect(judgeManifest(POLICY, KEY_A, m, {}).errors).toEqual([
      {
        message: `options.on_exists is "update", which ${RULE_A} forbids (update: false): manifests under "manifests/team-a/" may not overwrite tasks`,
        line: 4,
        column: 3,
        hint: 'use on_exists: skip (or fail), or ask the operator to allow updates under this prefix',
      },
    ]);
  });

  it('skip and fail are fine under update: false', () => {
    for (const v of ['skip', 'fail']) {
      const m = manifest(
        `target: { project_id: proj-a, instance_id: inst-a-1 }\noptions: { on_exists: ${v} }\n`,
        ONE_TASK,
      );
      expect(judgeManifest(POLICY, KEY_A, m, {}).errors).toEqual([]);
    }
  });

  it('allowed where update is true', () => {
    const m = manifest('target: { project_id: proj-b, instance_id: i }\noptions: { on_exists: update }\n', ONE_TASK);
    expect(judgeManifest(POLICY, KEY_B, m, {}).errors).toEqual([]);
  });
});

describe('judgeManifest: bounds', () => {
  const target = 'target: { project_id: proj-a, instance_id: inst-a-1 }\n';

  it('each option above its bound is an error at the option, naming the rule and the bound', () => {
    const m = manifest(`${target}options:\n  rate: 6\n  concurrency: 3\n  max_attempts: 4\n`, ONE_TASK);
    expect(judgeManifest(POLICY, KEY_A, m, {}).errors).toEqual([
      {
        message: `options.rate is 6, above the 5 that ${RULE_A} allows (max_rate)`,
        line: 4,
        column: 3,
        hint: 'lower options.rate to 5 or leave it out: the run then uses at most 5',
      },
      {
        message: `options.concurrency is 3, above the 2 that ${RULE_A} allows (max_concurrency)`,
        line: 5,
        column: 3,
        hint: 'lower options.concurrency to 2 or leave it out: the run then uses at most 2',
      },
      {
        message: `options.max_attempts is 4, above the 3 that ${RULE_A} allows (max_attempts)`,
        line: 6,
        column: 3,
        hint: 'lower options.max_attempts to 3 or leave it out: the run then uses at most 3',
      },
    ]);
  });

  it('a fraction above the bound is above it', () => {
    const m = manifest(`${target}options: { rate: 5.01 }\n`, ONE_TASK);
    expect(judgeManifest(POLICY, KEY_A, m, {}).errors.map((e) => e.message)).toEqual([
      `options.rate is 5.01, above the 5 that ${RULE_A} allows (max_rate)`,
    ]);
  });

  it('equal to the bound, below it or left out: fine', () => {
    const equal = manifest(`${target}options: { rate: 5, concurrency: 2, max_attempts: 3 }\n`, ONE_TASK);
    expect(judgeManifest(POLICY, KEY_A, equal, {}).errors).toEqual([]);
    const below = manifest(`${target}options: { rate: 0.5, concurrency: 1, max_attempts: 1 }\n`, ONE_TASK);
    expect(judgeManifest(POLICY, KEY_A, below, {}).errors).toEqual([]);
    expect(judgeManifest(POLICY, KEY_A, manifest(target, ONE_TASK), {}).errors).toEqual([]);
  });

  it('a rule without bounds allows any option', () => {
    const m = manifest(
      'target: { project_id: proj-b, instance_id: i }\noptions: { rate: 1000, concurrency: 64, max_attempts: 10 }\n',
      ONE_TASK,
    );
    expect(judgeManifest(POLICY, KEY_B, m, {}).errors).toEqual([]);
  });

  it('options written in flow style: located at each key', () => {
    const m = manifest(`${target}options: { on_exists: skip, rate: 7, max_attempts: 9 }\n`, ONE_TASK);
    const errors = judgeManifest(POLICY, KEY_A, m, {}).errors;
    expect(errors.map((e) => [e.message.split(',')[0], e.line, e.column])).toEqual([
      ['options.rate is 7', 3, 29],
      ['options.max_attempts is 9', 3, 38],
    ]);
  });

  it('options from a YAML anchor and merge key: located where the value is written', () => {
    const m = manifest(
      `${target}vars:
  opts: &opts { rate: 10, concurrency: 3 }
options:
  <<: *opts
  max_attempts: 4
`,
      ONE_TASK,
    );
    const errors = judgeManifest(POLICY, KEY_A, m, {}).errors;
    expect(errors.map((e) => [e.message.split(',')[0], e.line, e.column])).toEqual([
      ['options.rate is 10', 4, 17],
      ['options.concurrency is 3', 4, 27],
      ['options.max_attempts is 4', 7, 3],
    ]);
  });

  it('more tasks than max_tasks: an error at line 1; exactly max_tasks is fine', () => {
    const four = compiled(bulkManifest(4, { instances: ['inst-a-1'] }).replace('local-project', 'proj-a'));
    expect(four.taskCount).toBe(4);
    expect(judgeManifest(POLICY, KEY_A, four, {}).errors).toEqual([]);
    const five = compiled(bulkManifest(5, { instances: ['inst-a-1'] }).replace('local-project', 'proj-a'));
    expect(judgeManifest(POLICY, KEY_A, five, {}).errors).toEqual([
      {
        message: `the manifest has 5 tasks, more than the 4 per manifest that ${RULE_A} allows (max_tasks)`,
        line: 1,
        hint: 'split it into manifests of at most 4 tasks',
      },
    ]);
  });
});

describe('judgeManifest: several problems at once', () => {
  it('are all reported: bounds, update, size and every refused target', () => {
    const m = compiled(
      bulkManifest(6, {
        prefix: 'w',
        instances: ['inst-a-1', 'inst-q'],
        extra: 'options: { rate: 50, concurrency: 2, max_attempts: 10, on_exists: update }',
      }).replace('local-project', 'proj-a'),
    );
    const j = judgeManifest(POLICY, KEY_A, m, {});
    expect(j.rule).toBe(POLICY.rules[0]);
    expect(j.errors.map((e) => e.message)).toEqual([
      `options.rate is 50, above the 5 that ${RULE_A} allows (max_rate)`,
      `options.max_attempts is 10, above the 3 that ${RULE_A} allows (max_attempts)`,
      `options.on_exists is "update", which ${RULE_A} forbids (update: false): manifests under "manifests/team-a/" may not overwrite tasks`,
      `the manifest has 6 tasks, more than the 4 per manifest that ${RULE_A} allows (max_tasks)`,
      `task "w-1-0001" targets instance inst-q, which ${RULE_A} does not allow (and 2 more task(s) with the same target)`,
    ]);
    expect(j.errors.map((e) => e.line)).toEqual([3, 3, 3, 1, 16]);
  });
});

describe('boundedLimits', () => {
  const limits: Limits = { concurrency: 8, rate: 20, maxAttempts: 6, timeoutMs: 30_000 };
  const rule = (bounds: Partial<PolicyRule>): PolicyRule => ({
    prefix: 'm/',
    projects: ['*'],
    instances: ['*'],
    update: false,
    destroy: false,
    index: 0,
    line: 3,
    ...bounds,
  });

  it("lowers rate, concurrency and attempts to the rule's bounds, and keeps the timeout", () => {
    expect(boundedLimits(limits, rule({ max_rate: 2.5, max_concurrency: 3, max_attempts: 2 }))).toEqual({
      concurrency: 3,
      rate: 2.5,
      maxAttempts: 2,
      timeoutMs: 30_000,
    });
  });

  it('never raises a limit, and leaves those without a bound', () => {
    expect(boundedLimits(limits, rule({ max_rate: 100, max_concurrency: 64, max_attempts: 10 }))).toEqual(limits);
    expect(boundedLimits(limits, rule({ max_concurrency: 1 }))).toEqual({ ...limits, concurrency: 1 });
    expect(boundedLimits(limits, rule({}))).toEqual(limits);
  });

  it('no rule: the limits unchanged', () => {
    expect(boundedLimits(limits, undefined)).toBe(limits);
  });

  it('does not change its argument', () => {
    const copy = { ...limits };
    boundedLimits(copy, rule({ max_rate: 1 }));
    expect(copy).toEqual(limits);
  });
});

describe('judgeManifest: destroy runs', () => {
  it("follow the rule's destroy (default false)", () => {
    const a = manifest('target: { project_id: proj-a, instance_id: inst-a-1 }\n', ONE_TASK);
    expect(judgeManifest(POLICY, KEY_A, a, {}, 'destroy').errors).toEqual([
      {
        message: `${RULE_A} forbids destroy runs (destroy: false): manifests under "manifests/team-a/" may not delete tasks`,
        line: 1,
        hint: 'ask the operator to allow destroy under this prefix',
      },
    ]);
    const b = manifest('target: { project_id: proj-b, instance_id: anything }\n', ONE_TASK);
    expect(judgeManifest(POLICY, KEY_B, b, {}, 'destroy')).toEqual({ rule: POLICY.rules[1], errors: [] });
  });
});
