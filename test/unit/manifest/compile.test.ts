import { describe, expect, it } from 'vitest';
import { toCreateRequest, unresolvedId } from '../../../lib/manifest/index.js';
import { HEAD, compile, entry, problemsOf, tasksOf } from './helpers.js';

describe('merge order: defaults < template < task', () => {
  const yaml = `version: 1
defaults:
  task_type: TIMING
  task_tag: from_defaults
  description: from defaults
  vars: { level: defaults, d: 1 }
vars: { level: global, g: 1 }
templates:
  t:
    task_tag: from_template
    source_datasource: { name: crm-api }
    target_datasource: tgt-id
    vars: { level: template, t: 1 }
    detail:
      a: { x: 1, y: [1, 2], z: keep }
      b: "\${level}"
      list: [1, 2, 3]
tasks:
  - name: one
    template: t
    vars: { level: task }
    detail:
      a: { y: [9], w: new }
      list: [7]
  - name: "two-\${m}"
    template: t
    task_tag: null
    description: ""
    matrix: { m: [a], level: [matrix] }
    detail:
      b: "\${level}-\${g}\${d}\${t}"
`;
  const [one, two] = tasksOf(yaml);

  it('takes each field from the most specific level that sets it', () => {
    expect(one.task_type).toBe('TIMING');
    expect(one.task_tag).toBe('from_template');
    expect(one.description).toBe('from defaults');
    expect(one.source).toEqual({ name: 'crm-api' });
    expect(one.target_ds).toEqual({ id: 'tgt-id' });
  });

  it('deep-merges detail: objects merge, arrays and scalars replace, key order of the first level kept', () => {
    expect(one.task_detail).toBe('{"a":{"x":1,"y":[9],"z":"keep","w":"new"},"b":"task","list":[7]}');
  });

  it('merges vars global < defaults < template < task < matrix', () => {
    expect(JSON.parse(two.task_detail).b).toBe('matrix-111');
  });

  it('null and empty strings mean "none" for optional fields', () => {
    expect(two.task_tag).toBeUndefined();
    expect(two.description).toBeUndefined();
    expect(toCreateRequest(two, { source: 's', target: 't' }).task).toEqual({
      task_name: 'two-a',
      task_type: 'TIMING',
      source_datasource_id: 's',
      target_datasource_id: 't',
    });
  });
});

describe('detail and detail_json', () => {
  it('uses detail_json exactly as written, without interpolation', () => {
    const text = '{ "b": 1,  "a": "${x}" }';
    const [t] = tasksOf(`${HEAD}  - name: raw
    task_type: REALTIME
    source_datasource: s
    target_datasource: t
    detail_json: '${text}'
`);
    expect(t.task_detail).toBe(text);
  });

  it('the most specific level wins: detail_json in a task replaces a template detail, a task detail replaces a template detail_json', () => {
    const yaml = `version: 1
templates:
  j: { task_type: TIMING, source_datasource: s, target_datasource: t, detail_json: '{"from":"json"}' }
  d: { task_type: TIMING, source_datasource: s, target_datasource: t, detail: { from: yaml, keep: 1 } }
tasks:
  - { name: over-json, template: j, detail: { from: task } }
  - { name: over-yaml, template: d, detail_json: '{"only":"json"}' }
  - { name: merged, template: d, detail: { from: task } }
`;
    expect(tasksOf(yaml).map((t) => t.task_detail)).toEqual([
      '{"from":"task"}',
      '{"only":"json"}',
      '{"from":"task","keep":1}',
    ]);
  });
});

describe('rendering follows json-e', () => {
  const render = (detail: string, vars = '{}') =>
    JSON.parse(
      tasksOf(
        `${HEAD}${entry('r-task', `    vars: ${vars}\n`).replace('detail: { a: 1 }', () => `detail: ${detail}`)}`,
      )[0].task_detail,
    );

  it('${…} gives a string, {$eval: …} keeps the type', () => {
    expect(render('{ s: "${n}", n: { $eval: n }, b: { $eval: "n > 1" } }', '{ n: 5 }')).toEqual({
      s: '5',
      n: 5,
      b: true,
    });
  });
  it('$map, $if, $let, $merge and builtins', () => {
    expect(
      render(
        '{ l: { $map: { $eval: xs }, "each(x, i)": "${i}:${uppercase(x)}" }, i: { $if: "len(xs) > 5", then: big }, m: { $merge: [{ a: 1 }, { b: 2 }] }, t: { $let: { y: 2 }, in: { $eval: "y * 21" } } }',
        '{ xs: [a, b] }',
      ),
    ).toEqual({ l: ['0:A', '1:B'], m: { a: 1, b: 2 }, t: 42 });
  });
  it('escapes: $$ gives a literal $', () => {
    expect(render('{ $$ref: "$${x}" }')).toEqual({ $ref: '${x}' });
  });
  it('keeps numbers as written and key order', () => {
    const t = tasksOf(
      `${HEAD}${entry('nums').replace('detail: { a: 1 }', 'detail: { z: 1606807799782, a: 0.5, m: -3, e: 1e3 }')}`,
    )[0];
    expect(t.task_detail).toBe('{"z":1606807799782,"a":0.5,"m":-3,"e":1000}');
  });
  it('renders every field: name, description, tag, data sources, target, schedule, start', () => {
    const [t] = tasksOf(`version: 1
vars: { env: prod, n: 2, go: true }
tasks:
  - name: "job-\${env}"
    task_type: "\${'TIM' + 'ING'}"
    description: "for \${env}"
    task_tag: "tag_\${env}"
    source_datasource: "id-\${env}"
    target_datasource: { name: "db-\${env}" }
    target: { instance_id: "inst-\${env}" }
    schedule: { period: DAY, interval: { $eval: n } }
    start: { $eval: go }
    detail: { a: 1 }
`);
    expect(t).toMatchObject({
      name: 'job-prod',
      task_type: 'TIMING',
      description: 'for prod',
      task_tag: 'tag_prod',
      source: { id: 'id-prod' },
      target_ds: { name: 'db-prod' },
      target: { instance_id: 'inst-prod' },
      schedule: { use_quartz_cron: false, period: 'DAY', dispatch_interval: 2 },
      start: true,
    });
  });
});

describe('schedules', () => {
  const withSchedule = (s: string, type = 'TIMING') =>
    `${HEAD}${entry('sched').replace('TIMING', type)}    schedule: ${s}\n`;
  it.each([
    ['{ cron: "0 30 2 * * ?" }', { use_quartz_cron: true, cron: '0 30 2 * * ?' }],
    [
      '{ cron: "0 30 2 * * ? 2030", remark: nightly run }',
      { use_quartz_cron: true, cron: '0 30 2 * * ? 2030', remark: 'nightly run' },
    ],
    ['{ period: DAY }', { use_quartz_cron: false, period: 'DAY', dispatch_interval: 1 }],
    [
      '{ period: MIN, interval: 15, start_datetime: "2025-01-01T00:00:00Z" }',
      { use_quartz_cron: false, period: 'MIN', dispatch_interval: 15, start_datetime: 1735689600000 },
    ],
    [
      '{ period: WEEK, start_datetime: 1735689600000 }',
      { use_quartz_cron: false, period: 'WEEK', dispatch_interval: 1, start_datetime: 1735689600000 },
    ],
  ])('%s', (s, dispatch) => {
    expect(tasksOf(withSchedule(s))[0].schedule).toEqual(dispatch);
  });
  it.each([
    ['{ cron: "0 30 2 * *" }', 'has 5 fields'],
    ['{ period: DAY, interval: 60 }', 'tasks[0].schedule.interval'],
    ['{ period: YEAR }', 'must be one of MIN, HOUR, DAY, WEEK, MON'],
    ['{ period: DAY, start_datetime: "2025-01-01T00:00:00" }', 'with an offset'],
    ['{ cron: "0 0 1 * * ?", remark: short }', 'remark must be 8–36 characters'],
    // FDI's schedule has no time zone (TaskDispatch in Huawei's SDK): refused with the reason, wherever it goes.
    ['{ cron: "0 30 2 * * ?", timezone: Asia/Shanghai }', "schedule.timezone cannot be applied: FDI's schedule"],
    ['{ period: DAY, timezone: UTC }', 'schedule.timezone cannot be applied'],
    ['{ timezone: UTC }', 'schedule needs cron or period'],
  ])('rejects %s', (s, fragment) => {
    const problems = problemsOf(withSchedule(s));
    expect(problems.map((p) => p.message).join('\n')).toContain(fragment);
  });
  it('rejects a schedule on a REALTIME task', () => {
    expect(problemsOf(withSchedule('{ cron: "0 30 2 * * ?" }', 'REALTIME'))[0]).toMatchObject({
      kind: 'constraint',
      field: 'schedule',
      line: 8,
    });
  });
});

describe('targets and options', () => {
  it('merges the manifest target under task targets', () => {
    const tasks = tasksOf(`version: 1
target: { project_id: p, instance_id: i1 }
tasks:
${entry('task-1')}${entry('task-2', '    target: { instance_id: i2 }\n')}`);
    expect(tasks.map((t) => t.target)).toEqual([
      { project_id: 'p', instance_id: 'i1' },
      { project_id: 'p', instance_id: 'i2' },
    ]);
  });
  it('the same name in two instances is fine, in one instance it is reported', () => {
    expect(
      compile(
        `version: 1\ntasks:\n${entry('same', '    target: { instance_id: i1 }\n')}${entry('same', '    target: { instance_id: i2 }\n')}`,
      ).problems,
    ).toEqual([]);
    const problems = problemsOf(`version: 1\ntasks:\n${entry('same')}${entry('same')}`);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ kind: 'constraint', taskIndex: 1, taskName: 'same', line: 8 });
  });
  it('reports distinct targets with task counts', () => {
    const { manifest } = compile(
      `version: 1\ntarget: { project_id: p }\ntasks:\n${entry('"t-${i}-${n}"', '    matrix: { i: [i1, i2], n: [1, 2] }\n    target: { instance_id: "${i}" }\n')}`,
    );
    expect(manifest?.targets).toEqual([
      { target: { project_id: 'p', instance_id: 'i1' }, tasks: 2 },
      { target: { project_id: 'p', instance_id: 'i2' }, tasks: 2 },
    ]);
  });
  it('defaults on_exists to skip and keeps the options given', () => {
    expect(compile(`${HEAD}${entry('abc')}`).manifest?.options).toEqual({ on_exists: 'skip' });
    expect(
      compile(
        `version: 1\noptions: { concurrency: 3, rate: 2.5, max_attempts: 4, on_exists: fail, failure_threshold: { percent: 10, min_attempted: 5 } }\ntasks:\n${entry('abc')}`,
      ).manifest?.options,
    ).toEqual({
      concurrency: 3,
      rate: 2.5,
      max_attempts: 4,
      on_exists: 'fail',
      failure_threshold: { percent: 10, min_attempted: 5 },
    });
  });
});

describe('data sources', () => {
  it('takes an ID string, {id}, or {name}; render shows names as obvious placeholders', () => {
    const [t] = tasksOf(
      `${HEAD}  - { name: dsx, task_type: REALTIME, source_datasource: { id: abc }, target_datasource: { name: crm-api }, detail: { a: 1 } }\n`,
    );
    expect(t.source).toEqual({ id: 'abc' });
    expect(t.target_ds).toEqual({ name: 'crm-api' });
    expect(unresolvedId(t.target_ds)).toBe('<name:crm-api>');
  });
  it('does not count a long name against the 64-character ID limit, but checks the name', () => {
    const long = 'n'.repeat(200);
    expect(
      compile(
        `${HEAD}  - { name: dsx, task_type: REALTIME, source_datasource: { name: ${long} }, target_datasource: t, detail: { a: 1 } }\n`,
      ).problems,
    ).toEqual([]);
    expect(
      problemsOf(
        `${HEAD}  - { name: dsx, task_type: REALTIME, source_datasource: { name: "a(b)" }, target_datasource: t, detail: { a: 1 } }\n`,
      )[0].message,
    ).toContain('cannot be a data source name');
  });
  it('checks IDs with the create-call validator', () => {
    const p = problemsOf(
      `${HEAD}  - { name: dsx, task_type: REALTIME, source_datasource: ${'x'.repeat(65)}, target_datasource: t, detail: { a: 1 } }\n`,
    );
    expect(p[0]).toMatchObject({ field: 'task.source_datasource_id', kind: 'constraint' });
  });
});

describe('prototype keys', () => {
  it('keeps __proto__ and constructor as ordinary keys and pollutes nothing', () => {
    const [t] = tasksOf(
      `${HEAD}${entry('proto').replace('detail: { a: 1 }', 'detail: { __proto__: { polluted: 1 }, constructor: { prototype: { polluted: 2 } }, ok: 1 }')}`,
    );
    expect(t.task_detail).toBe('{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":2}},"ok":1}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });
  it('rejects __proto__ as a variable name and as a task key', () => {
    expect(problemsOf(`${HEAD}${entry('proto', '    vars: { __proto__: { x: 1 } }\n')}`)[0].message).toBe(
      'variable name "__proto__" is not allowed',
    );
    expect(problemsOf(`${HEAD}${entry('proto', '    __proto__: { y: 1 }\n')}`)[0].message).toBe(
      'unknown key "__proto__" in tasks[0]',
    );
  });
});

describe('all problems at once', () => {
  it('reports every broken task, and other tasks are still checked', () => {
    const problems = problemsOf(`version: 1
tasks:
${entry('ok-task')}${entry('ab')}${entry('x y')}${entry('"${nope}"')}  - name: no-type
    source_datasource: s
    target_datasource: t
    detail: { a: 1 }
    task_tg: x
`);
    expect(problems.map((p) => [p.kind, p.line])).toEqual([
      ['schema', 27],
      ['constraint', 8],
      ['constraint', 13],
      ['template', 18],
    ]);
  });
  it('reports one problem for a broken template used by many tasks, with the count of repeats', () => {
    const problems = problemsOf(`version: 1
templates:
  t: { task_type: TIMING, source_datasource: s, target_datasource: t, detail: { a: "\${missing}" } }
tasks:
  - { name: "t-\${i}", template: t, matrix: { i: [1, 2, 3, 4] } }
`);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ kind: 'template', line: 3, taskIndex: 0, taskName: 't-1', repeats: 3 });
  });
});

describe('problem locations', () => {
  it('points at the template string that uses an undefined variable, in the level that wrote it', () => {
    const p = problemsOf(`version: 1
templates:
  t:
    task_type: TIMING
    source_datasource: s
    target_datasource: t
    detail:
      deep:
        list:
          - fine
          - "\${tabel}"
tasks:
  - { name: x-task, template: t, vars: { table: T } }
`);
    expect(p[0]).toMatchObject({ line: 11, column: 13, taskName: 'x-task', kind: 'template' });
    expect(p[0].message).toBe('undefined variable "tabel" in detail; did you mean "table"?');
  });
  it('points into $map each(…) bodies', () => {
    const p = problemsOf(
      `${HEAD}${entry('m-task').replace(
        'detail: { a: 1 }',
        `detail:
      cols:
        $map: [a, b]
        each(c):
          name: "\${c}"
          kind: "\${nothing}"`,
      )}`,
    );
    expect(p[0]).toMatchObject({ line: 12, column: 17, kind: 'template' });
  });
});

describe('formatProblem and toCreateRequest', () => {
  it('formats file:line:col, task and hint', async () => {
    const { formatProblem } = await import('../../../lib/manifest/index.js');
    expect(
      formatProblem({
        kind: 'constraint',
        file: 'm.yaml',
        line: 3,
        column: 5,
        taskIndex: 2,
        taskName: 'crm-x',
        message: 'bad',
        hint: 'fix it',
      }),
    ).toBe('m.yaml:3:5: task #2 "crm-x": bad\n  hint: fix it');
    expect(formatProblem({ kind: 'bound', file: 'm.yaml', message: 'too big' })).toBe('m.yaml: too big');
    expect(
      formatProblem({
        kind: 'template',
        file: 'm.yaml',
        line: 1,
        column: 1,
        taskIndex: 0,
        taskName: 'a\u0007b',
        message: 'x',
        repeats: 2,
      }),
    ).toBe('m.yaml:1:1: task #0 "a\\u0007b": x (the same in 2 more tasks of this entry)');
  });
  it('builds the body in the documented key order and leaves absent fields out', () => {
    const [t] = tasksOf(`${HEAD}${entry('order', '    task_tag: tag_1\n    description: d\n')}`);
    const body = toCreateRequest(t, { source: 'S', target: 'T' });
    expect(JSON.stringify(body)).toBe(
      '{"task":{"task_name":"order","task_type":"TIMING","source_datasource_id":"S","target_datasource_id":"T","description":"d","task_tag":"tag_1"},"task_detail":"{\\"a\\":1}"}',
    );
  });
});
