/**
 * The operator's policy (docs/SECURITY.md, "The policy"): parsing (strict, fail closed, located
 * errors), the rule that governs a key (longest prefix), and ID patterns (`*` wildcards only).
 */
import { describe, expect, it } from 'vitest';
import {
  MAX_POLICY_BYTES,
  PolicyError,
  idAllowed,
  parsePolicy,
  ruleFor,
  ruleName,
  type Policy,
} from '../../../lib/policy/policy.js';

/** The error parsePolicy throws for `text` (fails the test when it parses). */
function errorOf(text: string, origin = 'FDI_POLICY'): PolicyError {
  try {
    parsePolicy(text, origin);
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyError);
    expect((err as Error).name).toBe('PolicyError');
    return err as PolicyError;
  }
  throw new Error(`the policy parsed:\n${text}`);
}

/** A policy of one rule under manifests/a/ with `lines` (indented 4) added to it. */
const oneRule = (lines: string) => `version: 1
rules:
  - prefix: manifests/a/
${lines}`;

const TWO_RULES = `# the operator's policy
version: 1
rules:
  - prefix: manifests/team-a/
    projects: ["0a1b2c3d4e5f*"]
    instances: ["inst-a-1", "inst-a-*"]
  - prefix: manifests/team-b/
    projects: [proj-b]
    instances: ["*"]
    update: true
    destroy: true
    max_tasks: 500
    max_rate: 2.5
    max_concurrency: 4
    max_attempts: 5
`;

describe('parsePolicy: a valid policy', () => {
  it('keeps every field, defaults update and destroy to false, and records the index and line of each rule', () => {
    const policy = parsePolicy(TWO_RULES, 's3://bkt/operator/fdi-policy.yaml');
    expect(policy).toEqual({
      origin: 's3://bkt/operator/fdi-policy.yaml',
      rules: [
        {
          prefix: 'manifests/team-a/',
          projects: ['0a1b2c3d4e5f*'],
          instances: ['inst-a-1', 'inst-a-*'],
          update: false,
          destroy: false,
          index: 0,
          line: 4,
        },
        {
          prefix: 'manifests/team-b/',
          projects: ['proj-b'],
          instances: ['*'],
          update: true,
          destroy: true,
          max_tasks: 500,
          max_rate: 2.5,
          max_concurrency: 4,
          max_attempts: 5,
          index: 1,
          line: 7,
        },
      ],
    });
  });

  it('the documented example (docs/SECURITY.md) parses', () => {
    const policy = parsePolicy(
      `version: 1
rules:
  - prefix: manifests/team-a/        # object key prefix in the bucket; the longest matching prefix wins
    projects: ["0a1b2c3d4e5f*"]      # project IDs
    instances: ["inst-a-1", "inst-a-*"]  # instance IDs, same syntax; required
    update: false
    destroy: false
    max_tasks: 500
    max_rate: 10
    max_concurrency: 4
    max_attempts: 5
`,
      'FDI_POLICY',
    );
    expect(policy.rules).toHaveLength(1);
    expect(policy.rules[0]).toMatchObject({ max_tasks: 500, max_rate: 10, max_concurrency: 4, max_attempts: 5 });
  });

  it('reads JSON as well, with the same result and lines', () => {
    const json = JSON.stringify(
      {
        version: 1,
        rules: [
          { prefix: 'manifests/team-a/', projects: ['0a1b2c3d4e5f*'], instances: ['inst-a-1', 'inst-a-*'] },
          {
            prefix: 'manifests/team-b/',
            projects: ['proj-b'],
            instances: ['*'],
            update: true,
            destroy: true,
            max_tasks: 500,
            max_rate: 2.5,
            max_concurrency: 4,
            max_attempts: 5,
          },
        ],
      },
      null,
      2,
    );
    const fromJson = parsePolicy(json, 'FDI_POLICY');
    const fromYaml = parsePolicy(TWO_RULES, 'FDI_POLICY');
    const strip = (p: Policy) => p.rules.map(({ line: _line, ...r }) => r);
    expect(strip(fromJson)).toEqual(strip(fromYaml));
    // Each rule's line is where its object opens.
    const lines = json.split('\n');
    expect(fromJson.rules.map((r) => lines[r.line - 1].trim())).toEqual(['{', '{']);
    expect(fromJson.rules[0].line).toBeLessThan(fromJson.rules[1].line);
  });

  it('reads one-line JSON (line 1 for every rule)', () => {
    const p = parsePolicy(
      '{"version":1,"rules":[{"prefix":"a/","projects":["p"],"instances":["i"],"update":true}]}',
      'FDI_POLICY',
    );
    expect(p.rules).toEqual([
      { prefix: 'a/', projects: ['p'], instances: ['i'], update: true, destroy: false, index: 0, line: 1 },
    ]);
  });

  it('accepts an empty prefix (a rule for every key)', () => {
    const p = parsePolicy('version: 1\nrules:\n  - { prefix: "", projects: [p], instances: [i] }\n', 'FDI_POLICY');
    expect(p.rules[0].prefix).toBe('');
  });

  it('accepts a policy of exactly 64 KiB', () => {
    const body = oneRule('    projects: [p]\n    instances: [i]\n');
    const pad = MAX_POLICY_BYTES - Buffer.byteLength(body) - 2;
    const text = `${body}#${'x'.repeat(pad)}\n`;
    expect(Buffer.byteLength(text)).toBe(MAX_POLICY_BYTES);
    expect(parsePolicy(text, 'FDI_POLICY').rules).toHaveLength(1);
  });
});

describe('parsePolicy: errors name the origin, the line and the field', () => {
  it('MAX_POLICY_BYTES is 64 KiB', () => {
    expect(MAX_POLICY_BYTES).toBe(65_536);
  });

  it('refuses a syntax error with its line and column', () => {
    const e = errorOf('version: 1\nrules: [\n', 's3://bkt/operator/p.yaml');
    expect(e.message).toMatch(/^the policy s3:\/\/bkt\/operator\/p\.yaml cannot be parsed \(line 3, column 1\): /);
    expect(e.message).not.toContain('\n');
  });

  it('refuses an unknown key of a rule, listing the keys a rule has', () => {
    const e = errorOf(oneRule('    projects: [p1]\n    instances: [i1]\n    updates: true\n'));
    expect(e.message).toBe(
      'the policy FDI_POLICY is not valid (line 3): rules[0]: unknown key "updates" (a rule has prefix, projects, instances, update, destroy, max_tasks, max_rate, max_concurrency, max_attempts); see docs/SECURITY.md, "The policy", for its form',
    );
  });

  it('refuses an unknown top-level key, listing the keys allowed there (version, rules)', () => {
    const e = errorOf('{"version":1,"rules":[{"prefix":"a/","projects":["p"],"instances":["i"]}],"x":1}');
    expect(e.message).toContain('unknown key "x"');
    expect(e.message).not.toContain('a rule has');
    expect(e.message).toMatch(/version, rules/);
  });

  it('refuses an unknown top-level key (fails closed)', () => {
    const e = errorOf('{"version":1,"rules":[{"prefix":"a/","projects":["p"],"instances":["i"]}],"x":1}');
    expect(e.message).toMatch(/^the policy FDI_POLICY is not valid \(line 1\): the policy: unknown key "x"/);
  });

  it.each([
    ['projects', '    instances: [i1]\n'],
    ['instances', '    projects: [p1]\n'],
  ])('refuses a rule without %s', (field, lines) => {
    const e = errorOf(oneRule(lines));
    expect(e.message).toBe(
      `the policy FDI_POLICY is not valid (line 3): rules[0].${field}: is required; see docs/SECURITY.md, "The policy", for its form`,
    );
  });

  it('refuses a policy without rules, and one whose rules list is empty', () => {
    expect(errorOf('version: 1\n').message).toContain('(line 1): rules: is required');
    expect(errorOf('version: 1\nrules: []\n').message).toMatch(
      /^the policy FDI_POLICY is not valid \(line 2\): rules: .*>=1 items/,
    );
  });

  it.each([
    ['projects', '    projects: []\n    instances: [i1]\n', 4],
    ['instances', '    projects: [p1]\n    instances: []\n', 5],
  ])('refuses an empty %s list', (field, lines, line) => {
    const e = errorOf(oneRule(lines));
    expect(e.message).toMatch(
      new RegExp(`^the policy FDI_POLICY is not valid \\(line ${line}\\): rules\\[0\\]\\.${field}: .*>=1 items`),
    );
  });

  it.each([
    ['update: "yes"', 'rules[0].update', 6],
    ['destroy: 1', 'rules[0].destroy', 6],
    ['max_tasks: 1.5', 'rules[0].max_tasks', 6],
    ['max_tasks: "10"', 'rules[0].max_tasks', 6],
    ['max_concurrency: 0', 'rules[0].max_concurrency', 6],
    ['max_rate: 0', 'rules[0].max_rate', 6],
    ['max_attempts: -1', 'rules[0].max_attempts', 6],
  ])('refuses a wrong value: %s', (line, field, at) => {
    const e = errorOf(oneRule(`    projects: [p1]\n    instances: [i1]\n    ${line}\n`));
    expect(e.message).toMatch(
      new RegExp(`^the policy FDI_POLICY is not valid \\(line ${at}\\): ${field.replace(/[[\].]/g, '\\$&')}: `),
    );
  });

  it('refuses a list given as a string, and a rule that is not a mapping', () => {
    expect(errorOf(oneRule('    projects: p1\n    instances: [i1]\n')).message).toMatch(
      /\(line 4\): rules\[0\]\.projects: /,
    );
    expect(errorOf('version: 1\nrules:\n  - manifests/a/\n').message).toMatch(/\(line 3\): rules\[0\]: /);
  });

  it('a field present with a wrong type is not reported as missing', () => {
    const e = errorOf(oneRule('    projects: [p1]\n    instances: [i1]\n    update: "yes"\n'));
    expect(e.message).toContain('rules[0].update: ');
    expect(e.message).not.toContain('is required');
    expect(e.message).toMatch(/expected boolean/);
  });

  it('refuses a version other than 1', () => {
    for (const v of ['2', '"1"', '0']) {
      const e = errorOf(`version: ${v}\nrules:\n  - { prefix: a/, projects: [p], instances: [i] }\n`);
      expect(e.message).toMatch(/^the policy FDI_POLICY is not valid \(line 1\): version: /);
    }
    expect(errorOf('rules:\n  - { prefix: a/, projects: [p], instances: [i] }\n').message).toMatch(
      /^the policy FDI_POLICY is not valid \(line 1\): version: /,
    );
  });

  it('refuses an alias, also as a merge key (nothing is expanded)', () => {
    const alias = 'version: 1\nrules:\n  - prefix: a/\n    projects: &p [p1]\n    instances: *p\n';
    expect(errorOf(alias).message).toMatch(
      /^the policy FDI_POLICY cannot be parsed \(line 5, column 16\): it uses a YAML alias; write the value out in full$/,
    );
    const merge =
      'version: 1\nrules:\n  - &r { prefix: a/, projects: [p], instances: [i] }\n  - <<: *r\n    prefix: b/\n';
    expect(errorOf(merge).message).toMatch(/^the policy FDI_POLICY cannot be parsed/);
  });

  it('an alias is refused with its line', () => {
    const alias = 'version: 1\nrules:\n  - prefix: a/\n    projects: &p [p1]\n    instances: *p\n';
    expect(errorOf(alias).message).toMatch(/line 5/);
  });

  it('refuses two rules with the same prefix, at the second (which one governs would be a guess)', () => {
    const e = errorOf(
      'version: 1\nrules:\n  - { prefix: a/, projects: [p], instances: [i] }\n  - { prefix: b/, projects: [p], instances: [i] }\n  - { prefix: a/, projects: ["*"], instances: ["*"] }\n',
    );
    expect(e.message).toBe(
      'the policy FDI_POLICY is not valid (line 5): rules[0] and rules[2] have the same prefix "a/"; merge them into one rule',
    );
  });

  it('refuses a duplicate key, at its line', () => {
    const e = errorOf(oneRule('    projects: [p1]\n    projects: [p2]\n    instances: [i1]\n'));
    expect(e.message).toMatch(/^the policy FDI_POLICY cannot be parsed \(line 5, column 5\): Map keys must be unique/);
    const top = errorOf('version: 1\nrules:\n  - { prefix: a/, projects: [p], instances: [i] }\nversion: 1\n');
    expect(top.message).toMatch(/\(line 4, column 1\): Map keys must be unique/);
    const json = errorOf('{"version":1,"version":1,"rules":[{"prefix":"a/","projects":["p"],"instances":["i"]}]}');
    expect(json.message).toMatch(
      /^the policy FDI_POLICY cannot be parsed \(line 1, column 14\): Map keys must be unique/,
    );
  });

  it('refuses an empty text, and one of only blanks', () => {
    expect(errorOf('').message).toBe('the policy FDI_POLICY is empty');
    expect(errorOf(' \n\t\n', 's3://b/k').message).toBe('the policy s3://b/k is empty');
  });

  it('refuses a comment-only text and a scalar: not a policy', () => {
    expect(errorOf('# nothing yet\n').message).toMatch(/^the policy FDI_POLICY is not valid \(line 1\): the policy: /);
    expect(errorOf('allow everything').message).toMatch(/^the policy FDI_POLICY is not valid \(line 1\): the policy: /);
  });

  it('refuses several YAML documents', () => {
    const e = errorOf('version: 1\nrules:\n  - { prefix: a/, projects: [p], instances: [i] }\n---\nversion: 1\n');
    expect(e.message).toMatch(/^the policy FDI_POLICY cannot be parsed \(line 4, column 1\)/);
  });

  it('refuses a text over 64 KiB (counted in bytes), before parsing it', () => {
    const body = oneRule('    projects: [p]\n    instances: [i]\n');
    const over = `${body}#${'x'.repeat(MAX_POLICY_BYTES - Buffer.byteLength(body) - 1)}\n`;
    expect(Buffer.byteLength(over)).toBe(MAX_POLICY_BYTES + 1);
    expect(errorOf(over, 's3://b/k').message).toBe('the policy s3://b/k is larger than 64 KiB');
    // 30,000 three-byte characters: under 64 Ki characters, over 64 KiB.
    expect(errorOf(`# ${'€'.repeat(30_000)}\n${body}`).message).toBe('the policy FDI_POLICY is larger than 64 KiB');
    // Not even valid YAML: the size is checked first.
    expect(errorOf(`[${'x'.repeat(MAX_POLICY_BYTES)}`).message).toContain('larger than 64 KiB');
  });

  it.each(['p 1', 'p/1', 'p?', 'p+1', '(p)', 'p$', 'proj[0]', ''])('refuses the ID pattern %j', (id) => {
    const e = errorOf(oneRule(`    projects: [${JSON.stringify(id)}]\n    instances: [i1]\n`));
    expect(e.message).toMatch(/^the policy FDI_POLICY is not valid \(line 4\): rules\[0\]\.projects\[0\]: /);
    if (id !== '') expect(e.message).toContain('an ID pattern is letters, digits, "_", "-", "." and "*"');
  });

  it('refuses an illegal instance pattern at its own line, in the second rule', () => {
    const e = errorOf(`version: 1
rules:
  - { prefix: a/, projects: [p], instances: [i] }
  - prefix: b/
    projects: [p]
    instances:
      - ok-1
      - "bad instance"
`);
    expect(e.message).toMatch(/\(line 8\): rules\[1\]\.instances\[1\]: an ID pattern is letters/);
  });

  it('refuses a prefix with a leading "/"', () => {
    const e = errorOf('version: 1\nrules:\n  - prefix: /manifests/\n    projects: [p]\n    instances: [i]\n');
    expect(e.message).toBe(
      'the policy FDI_POLICY is not valid (line 3): rules[0].prefix: a prefix is an object key prefix: no leading "/"; see docs/SECURITY.md, "The policy", for its form',
    );
  });

  it('reports the first problem of the first faulty rule (not a later one)', () => {
    const e = errorOf(`version: 1
rules:
  - { prefix: a/, projects: [p], instances: [i] }
  - { prefix: b/, projects: [p], instances: [i], max_rate: -1 }
  - { prefix: c/, projects: [p] }
`);
    expect(e.message).toMatch(/\(line 4\): rules\[1\]\.max_rate: /);
  });
});

describe('ruleFor: the longest matching prefix', () => {
  const policy = (...prefixes: string[]): Policy => ({
    origin: 'FDI_POLICY',
    rules: prefixes.map((prefix, index) => ({
      prefix,
      projects: ['p'],
      instances: ['i'],
      update: false,
      destroy: false,
      index,
      line: index + 3,
    })),
  });

  it('wins whatever the order of the rules', () => {
    const orders = [
      ['manifests/', 'manifests/team-a/', 'manifests/team-a/wave/'],
      ['manifests/team-a/wave/', 'manifests/', 'manifests/team-a/'],
      ['manifests/team-a/', 'manifests/team-a/wave/', 'manifests/'],
    ];
    for (const o of orders) {
      const p = policy(...o);
      expect(ruleFor(p, 'manifests/team-a/wave/1.yaml')?.prefix).toBe('manifests/team-a/wave/');
      expect(ruleFor(p, 'manifests/team-a/1.yaml')?.prefix).toBe('manifests/team-a/');
      expect(ruleFor(p, 'manifests/team-b/1.yaml')?.prefix).toBe('manifests/');
    }
  });

  it('returns the rule itself (with its index)', () => {
    const p = policy('manifests/', 'manifests/team-a/');
    expect(ruleFor(p, 'manifests/team-a/x.yaml')).toBe(p.rules[1]);
  });

  it('no matching prefix: undefined', () => {
    const p = policy('manifests/team-a/', 'manifests/team-b/');
    expect(ruleFor(p, 'manifests/team-c/x.yaml')).toBeUndefined();
    expect(ruleFor(p, 'manifests/team-a')).toBeUndefined();
    expect(ruleFor(p, 'Manifests/team-a/x.yaml')).toBeUndefined();
    expect(ruleFor(p, '')).toBeUndefined();
  });

  it('matches plain prefixes: "manifests/team" covers "manifests/team-a/…" too', () => {
    expect(ruleFor(policy('manifests/team'), 'manifests/team-a/x.yaml')?.prefix).toBe('manifests/team');
  });

  it('prefix "" matches every key, and loses to any longer match', () => {
    const p = policy('', 'manifests/team-a/');
    expect(ruleFor(p, 'anything/at/all.yaml')?.prefix).toBe('');
    expect(ruleFor(p, '')?.prefix).toBe('');
    expect(ruleFor(p, 'manifests/team-a/x.yaml')?.prefix).toBe('manifests/team-a/');
  });
});

describe('idAllowed: exact IDs and * wildcards', () => {
  it('an exact pattern matches only that ID', () => {
    expect(idAllowed('proj-1', ['proj-1'])).toBe(true);
    expect(idAllowed('proj-10', ['proj-1'])).toBe(false);
    expect(idAllowed('xproj-1', ['proj-1'])).toBe(false);
    expect(idAllowed('PROJ-1', ['proj-1'])).toBe(false);
    expect(idAllowed('', ['proj-1'])).toBe(false);
  });

  it('"*" alone matches any ID', () => {
    for (const id of ['a', 'inst-1', '0a1b2c3d4e5f', 'x.y_z']) expect(idAllowed(id, ['*'])).toBe(true);
  });

  it('prefix*: the ID starts with it (also the prefix itself)', () => {
    expect(idAllowed('0a1b2c3d4e5f6789', ['0a1b2c3d4e5f*'])).toBe(true);
    expect(idAllowed('0a1b2c3d4e5f', ['0a1b2c3d4e5f*'])).toBe(true);
    expect(idAllowed('0a1b2c3d4e5', ['0a1b2c3d4e5f*'])).toBe(false);
    expect(idAllowed('x0a1b2c3d4e5f', ['0a1b2c3d4e5f*'])).toBe(false);
  });

  it('*suffix: the ID ends with it', () => {
    expect(idAllowed('inst-prod', ['*-prod'])).toBe(true);
    expect(idAllowed('inst-prod-2', ['*-prod'])).toBe(false);
  });

  it('middle*: a run of characters in the middle, also none', () => {
    expect(idAllowed('inst-a-1', ['inst-*-1'])).toBe(true);
    expect(idAllowed('inst-abc-def-1', ['inst-*-1'])).toBe(true);
    expect(idAllowed('inst--1', ['inst-*-1'])).toBe(true);
    expect(idAllowed('inst-a-2', ['inst-*-1'])).toBe(false);
    expect(idAllowed('a1b', ['a*b*c'])).toBe(false);
    expect(idAllowed('a1b2c', ['a*b*c'])).toBe(true);
  });

  it('one of several patterns is enough; none is nothing', () => {
    expect(idAllowed('inst-b-2', ['inst-a-1', 'inst-b-*'])).toBe(true);
    expect(idAllowed('inst-c-1', ['inst-a-1', 'inst-b-*'])).toBe(false);
    expect(idAllowed('inst-a-1', [])).toBe(false);
  });

  it('regex metacharacters are literal: "a.b" does not match "aXb"', () => {
    expect(idAllowed('a.b', ['a.b'])).toBe(true);
    expect(idAllowed('aXb', ['a.b'])).toBe(false);
    expect(idAllowed('a.b.c', ['a.*'])).toBe(true);
    expect(idAllowed('abc', ['a.*'])).toBe(false);
    expect(idAllowed('aaa', ['a+'])).toBe(false);
    expect(idAllowed('a+', ['a+'])).toBe(true);
    expect(idAllowed('b', ['a|b'])).toBe(false);
    expect(idAllowed('a', ['[a]'])).toBe(false);
    expect(idAllowed('ab', ['a?b'])).toBe(false);
    expect(idAllowed('x', ['^x$'])).toBe(false);
    expect(idAllowed('a\\b', ['a\\b'])).toBe(true);
  });
});

describe('ruleName', () => {
  it('names the prefix, the index and the line in the origin', () => {
    const p = parsePolicy(TWO_RULES, 's3://bkt/operator/p.yaml');
    expect(ruleName(p.rules[1], p)).toBe('rule "manifests/team-b/" (rules[1], line 7 of s3://bkt/operator/p.yaml)');
  });
});
