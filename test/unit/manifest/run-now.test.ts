/** run_now and options.verify in the manifest (docs/MANIFEST.md, docs/VERIFY.md). */
import { describe, expect, it } from 'vitest';
import { compile, problemsOf, tasksOf } from './helpers.js';

const manifest = (body: string) => `version: 1
target: { project_id: p, instance_id: i }
${body}`;

const TEMPLATE = `templates:
  t:
    task_type: TIMING
    source_datasource: s1
    target_datasource: s2
    detail: { x: 1 }
`;

describe('run_now', () => {
  it('merges like start: defaults < template < task, false when absent', () => {
    const tasks = tasksOf(
      manifest(`defaults: { run_now: true }
${TEMPLATE}tasks:
  - { name: from-defaults, template: t }
  - { name: turned-off, template: t, run_now: false }
  - { name: evaluated, template: t, vars: { go: false }, run_now: { $eval: go } }
`),
    );
    expect(tasks.map((t) => [t.name, t.run_now ?? false])).toEqual([
      ['from-defaults', true],
      ['turned-off', false],
      ['evaluated', false],
    ]);
    const none = tasksOf(manifest(`${TEMPLATE}tasks:\n  - { name: plain, template: t }\n`));
    expect(none[0]).not.toHaveProperty('run_now');
  });

  it('a template can set it', () => {
    const tasks = tasksOf(
      manifest(`${TEMPLATE.replace('detail: { x: 1 }', 'detail: { x: 1 }\n    run_now: true')}tasks:
  - { name: from-template, template: t }
`),
    );
    expect(tasks[0]?.run_now).toBe(true);
  });

  it('on a REALTIME task is a located problem with a hint', () => {
    const [p] = problemsOf(
      manifest(`${TEMPLATE}tasks:
  - name: stream-one
    template: t
    task_type: REALTIME
    run_now: true
`),
    );
    expect(p).toMatchObject({
      kind: 'constraint',
      line: 13,
      taskName: 'stream-one',
      message: 'run_now applies to TIMING tasks only; this task is REALTIME',
      hint: expect.stringContaining('REALTIME task runs when it is started'),
    });
  });

  it('must be a boolean, written or rendered', () => {
    const written = problemsOf(manifest(`${TEMPLATE}tasks:\n  - { name: bad-one, template: t, run_now: "yes" }\n`));
    expect(written[0]?.message).toMatch(/run_now must be true or false/);
    const rendered = problemsOf(
      manifest(`${TEMPLATE}tasks:\n  - { name: bad-two, template: t, vars: { v: 1 }, run_now: { $eval: v } }\n`),
    );
    expect(rendered[0]?.message).toMatch(/run_now must be true or false \(got 1\)/);
  });
});

describe('options.verify', () => {
  it('is a whole number of seconds from 1 to 3600', () => {
    const ok = compile(manifest(`options: { verify: 120 }\n${TEMPLATE}tasks:\n  - { name: abc, template: t }\n`));
    expect(ok.text).toBe('');
    expect(ok.manifest?.options.verify).toBe(120);
    expect(ok.manifest?.optionsAt?.verify).toEqual({ line: 3, column: 12 });
    for (const bad of ['0', '3601', '1.5', 'true', '"60"']) {
      const r = compile(manifest(`options: { verify: ${bad} }\n${TEMPLATE}tasks:\n  - { name: abc, template: t }\n`));
      expect(r.manifest, bad).toBeUndefined();
      expect(r.problems[0]?.line, bad).toBe(3);
    }
  });

  it('is absent unless set', () => {
    const r = compile(manifest(`${TEMPLATE}tasks:\n  - { name: abc, template: t }\n`));
    expect(r.manifest?.options).not.toHaveProperty('verify');
  });
});
