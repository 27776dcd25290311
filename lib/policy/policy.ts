/**
 * The operator's policy (docs/SECURITY.md, "The policy"): rules per manifest prefix that a manifest
 * cannot change — the targets it may name, whether it may overwrite or destroy tasks, and upper bounds
 * on its size and traffic. Parsed from YAML or JSON text, strictly: an unknown key, a wrong type or a
 * missing list is an error, and an error is never read as "no policy" (the caller fails closed). Pure.
 */
import { isAlias, LineCounter, parseDocument, visit, type Document } from 'yaml';
import * as z from 'zod';
import { SourceMap, type PathSegment } from '../manifest/locate.js';
import { formatPath } from '../manifest/problem.js';

/** The largest policy text read (a policy is a few rules, not a manifest). */
export const MAX_POLICY_BYTES = 64 * 1024;

/** One rule: what manifests whose object key starts with `prefix` may do. */
export interface PolicyRule {
  prefix: string;
  /** Project IDs a manifest may target: exact, or with `*` matching any run of characters. */
  projects: string[];
  /** Instance IDs, in the same form. */
  instances: string[];
  /** `options.on_exists: update` (overwriting tasks) is allowed. */
  update: boolean;
  /** Destroy runs are allowed. */
  destroy: boolean;
  max_tasks?: number | undefined;
  max_rate?: number | undefined;
  max_concurrency?: number | undefined;
  max_attempts?: number | undefined;
  /** 0-based place in `rules`, and its line in the policy text. */
  index: number;
  line: number;
}

export interface Policy {
  /** Where it came from, as messages name it: `FDI_POLICY`, or `s3://bucket/key`. */
  origin: string;
  rules: PolicyRule[];
}

/** A policy that cannot be used: the run fails closed with this message. */
export class PolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyError';
  }
}

const ID_PATTERN = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.*-]+$/, { error: 'an ID pattern is letters, digits, "_", "-", "." and "*"' });

const RuleSchema = z.strictObject({
  prefix: z
    .string()
    .max(1024)
    .refine((p) => !p.startsWith('/'), { error: 'a prefix is an object key prefix: no leading "/"' }),
  projects: z.array(ID_PATTERN).min(1),
  instances: z.array(ID_PATTERN).min(1),
  update: z.boolean().optional(),
  destroy: z.boolean().optional(),
  max_tasks: z.number().int().min(1).optional(),
  max_rate: z.number().positive().optional(),
  max_concurrency: z.number().int().min(1).optional(),
  max_attempts: z.number().int().min(1).optional(),
});

const PolicySchema = z.strictObject({
  version: z.literal(1),
  rules: z.array(RuleSchema).min(1).max(1000),
});

/**
 * Parses a policy. Throws `PolicyError` naming the origin, the line and the field at fault, and how
 * to fix it; never returns a partial policy.
 */
export function parsePolicy(text: string, origin: string): Policy {
  if (Buffer.byteLength(text, 'utf8') > MAX_POLICY_BYTES)
    throw new PolicyError(`the policy ${origin} is larger than ${MAX_POLICY_BYTES / 1024} KiB`);
  if (text.trim() === '') throw new PolicyError(`the policy ${origin} is empty`);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, merge: false });
  const syntax = doc.errors[0] ?? doc.warnings[0];
  if (syntax) {
    const pos = syntax.linePos?.[0];
    throw new PolicyError(
      `the policy ${origin} cannot be parsed${pos ? ` (line ${pos.line}, column ${pos.col})` : ''}: ${firstLine(syntax.message)}`,
    );
  }
  refuseAliases(doc, lines, origin);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 0 });
  } catch (err) {
    throw new PolicyError(`the policy ${origin} cannot be parsed: ${(err as Error).message}`);
  }
  const parsed = PolicySchema.safeParse(data);
  const source = new SourceMap(doc, lines);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue.path.filter((p): p is PathSegment => typeof p !== 'symbol');
    const at = source.locate(path);
    const field = path.length ? formatPath(path) : 'the policy';
    throw new PolicyError(
      `the policy ${origin} is not valid (line ${at.line}): ${field}: ${issueText(issue, path)}; ` +
        'see docs/SECURITY.md, "The policy", for its form',
    );
  }
  const rules = parsed.data.rules;
  const twice = rules.findIndex((r, i) => rules.findIndex((o) => o.prefix === r.prefix) !== i);
  if (twice !== -1) {
    const first = rules.findIndex((o) => o.prefix === rules[twice].prefix);
    throw new PolicyError(
      `the policy ${origin} is not valid (line ${source.locate(['rules', twice]).line}): rules[${first}] and rules[${twice}] have the same prefix "${rules[twice].prefix}"; merge them into one rule`,
    );
  }
  return {
    origin,
    rules: parsed.data.rules.map((r, index) => ({
      ...r,
      update: r.update ?? false,
      destroy: r.destroy ?? false,
      index,
      line: source.locate(['rules', index]).line,
    })),
  };
}

function issueText(issue: z.core.$ZodIssue, path: readonly PathSegment[]): string {
  if (issue.code === 'unrecognized_keys') {
    const allowed = path.length === 0 ? 'a policy has version, rules' : `a rule has ${RULE_KEYS.join(', ')}`;
    return `unknown key ${issue.keys.map((k) => `"${k}"`).join(', ')} (${allowed})`;
  }
  // zod words a missing key as a value of the wrong type that "received undefined".
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) return 'is required';
  return issue.message;
}

const RULE_KEYS = Object.keys(RuleSchema.shape);

/**
 * Anchors and aliases have no place in a few rules, and an alias is where a policy could be made to
 * say two things at once: refused, at the alias.
 */
function refuseAliases(doc: Document, lines: LineCounter, origin: string): void {
  let at: number | undefined;
  visit(doc, {
    Alias(_, node) {
      if (isAlias(node)) at = node.range?.[0];
      return visit.BREAK;
    },
  });
  if (at === undefined) return;
  const { line, col } = lines.linePos(at);
  throw new PolicyError(
    `the policy ${origin} cannot be parsed (line ${line}, column ${col}): it uses a YAML alias; write the value out in full`,
  );
}

function firstLine(s: string): string {
  return s.split('\n')[0];
}

/** The rule that governs an object key: the one with the longest matching prefix; undefined if none. */
export function ruleFor(policy: Policy, key: string): PolicyRule | undefined {
  let best: PolicyRule | undefined;
  for (const r of policy.rules) {
    if (key.startsWith(r.prefix) && (!best || r.prefix.length > best.prefix.length)) best = r;
  }
  return best;
}

/** Whether an ID matches one of the patterns (`*` matches any run of characters, also none). */
export function idAllowed(id: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => globRegExp(p).test(id));
}

function globRegExp(pattern: string): RegExp {
  const body = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\-]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`);
}

/** How messages name a rule: `rule "manifests/team-a/" (rules[0], line 3 of FDI_POLICY)`. */
export function ruleName(rule: PolicyRule, policy: Policy): string {
  return `rule "${rule.prefix}" (rules[${rule.index}], line ${rule.line} of ${policy.origin})`;
}
