/**
 * deploy/huaweicloud/*.tf parse (an HCL parser from npm) and agree with the product: the handler and
 * the package `npm run package:functiongraph` writes, the trigger prefixes and suffixes (lib/config.ts
 * defaults, MANIFEST_SUFFIX and CONTINUATION_SUFFIX), least-privilege policies, async retries, and no
 * secret-looking variable or setting with a literal value; the operator's policy (fdi_policy,
 * fdi_policy_object) passed only when set, with a read-only grant of the policy object alone; the ROMA
 * actions the client calls and nothing more, the same in fdi-user-policy.json. Where a `terraform` binary
 * is on the PATH, the policy locals are also evaluated by `terraform console` (no provider needed).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { loadConfig } from '../../../lib/config.js';
import { CONTINUATION_SUFFIX, MANIFEST_SUFFIX } from '../../../lib/trigger/s3-event.js';
import { ROOT } from '../../helpers/cli.js';
import { SECRET_LOOKING } from './secret-names.js';

const DIR = path.join(ROOT, 'deploy/huaweicloud');
type Json = Record<string, unknown>;
type Block = Json[];

interface Tf {
  variable: Record<string, Block>;
  locals: Json[];
  resource: Record<string, Record<string, Block>>;
  output: Record<string, Block>;
  data?: Record<string, Record<string, Block>>;
  terraform: Json[];
}

/** Every .tf file of the folder, parsed and merged (each file's top-level blocks side by side). */
async function loadTf(): Promise<Tf> {
  const files = (await readdir(DIR)).filter((f) => f.endsWith('.tf')).sort();
  expect(files).toEqual(['main.tf', 'outputs.tf', 'variables.tf', 'versions.tf']);
  const merged: Json = {};
  for (const f of files) {
    const parsed = (await parse(f, await readFile(path.join(DIR, f), 'utf8'))) as Json;
    for (const [kind, body] of Object.entries(parsed)) {
      if (Array.isArray(body)) merged[kind] = [...((merged[kind] as Json[] | undefined) ?? []), ...body];
      else merged[kind] = { ...((merged[kind] as Json | undefined) ?? {}), ...(body as Json) };
    }
  }
  return merged as unknown as Tf;
}

describe('deploy/huaweicloud (Terraform, huaweicloud provider)', () => {
  let tf: Tf;
  let locals: Json;
  /** A variable's default; `${var.x}` resolved to it. */
  const defaultOf = (name: string): unknown => tf.variable[name]?.[0]?.default;
  const resolve = (v: unknown): unknown => {
    const m = typeof v === 'string' ? /^\$\{var\.(\w+)\}$/.exec(v) : null;
    return m ? defaultOf(m[1]) : v;
  };
  const one = (type: string, name: string): Json => {
    const block = tf.resource[type]?.[name]?.[0];
    expect(block, `${type}.${name}`).toBeDefined();
    return block!;
  };

  beforeAll(async () => {
    tf = await loadTf();
    locals = Object.assign({}, ...tf.locals) as Json;
  });

  it('declares the huaweicloud provider and the variables for region, bucket, project and instance', () => {
    const providers = tf.terraform[0].required_providers as Json[];
    expect(providers[0].huaweicloud).toMatchObject({ source: 'huaweicloud/huaweicloud' });
    for (const v of ['region', 'bucket', 'fdi_project_id', 'fdi_instance_id']) {
      expect(tf.variable[v], v).toBeDefined();
      expect(defaultOf(v), `${v} has no default: the operator gives it`).toBeUndefined();
    }
    for (const o of ['function_urn', 'agency_name', 'manifest_location']) expect(tf.output[o], o).toBeDefined();
  });

  it('the function: index.handler from the package npm run package:functiongraph writes, on the newest Node.js runtime', () => {
    const fn = one('huaweicloud_fgs_function', 'provisioner');
    expect(fn.handler).toBe('index.handler');
    expect(path.resolve(DIR, defaultOf('package_path') as string)).toBe(
      path.join(ROOT, 'dist/functiongraph/fdi-provisioner.zip'),
    );
    expect(String(fn.func_code)).toContain('filebase64(var.package_path)');
    expect(String(fn.code_type)).toContain('"zip"');
    expect(resolve(fn.runtime)).toBe('Node.js22.18');
    expect(resolve(fn.timeout)).toBe(900);
    expect(resolve(fn.memory_size)).toBe(512);
    expect(fn.agency).toBe('${huaweicloud_identity_agency.function.name}');
    expect(String(fn.user_data)).toContain('jsonencode(merge(local.settings');
  });

  it('its settings: prefixes as the product defaults them, FDI endpoint, project and instance, no secret', () => {
    const settings = locals.settings as Record<string, unknown>;
    const defaults = loadConfig({}).prefixes;
    expect(resolve(settings.MANIFEST_PREFIX)).toBe(defaults.manifest);
    expect(resolve(settings.REPORT_PREFIX)).toBe(defaults.report);
    expect(resolve(settings.STATE_PREFIX)).toBe(defaults.state);
    expect(settings).toMatchObject({
      FDI_PROJECT_ID: '${var.fdi_project_id}',
      FDI_INSTANCE_ID: '${var.fdi_instance_id}',
    });
    expect(settings.FDI_ENDPOINT).toBe('${local.fdi_endpoint}');
    const all = { ...settings, ...(locals.limit_settings as Json) };
    expect(Object.keys(all).filter((k) => SECRET_LOOKING.test(k))).toEqual([]);
  });

  it('no variable with a secret-looking name has a literal value; no literal anywhere looks like a credential', async () => {
    for (const [name, [v]] of Object.entries(tf.variable)) {
      if (!SECRET_LOOKING.test(name)) continue;
      expect(v.default, `${name} has a literal default`).toBeUndefined();
      expect(v.sensitive, `${name} must be sensitive`).toBe(true);
    }
    const text = (await Promise.all((await readdir(DIR)).map((f) => readFile(path.join(DIR, f), 'utf8')))).join('\n');
    expect(text).not.toMatch(/(secret|password|token|access_key|secret_key)\s*=\s*"[^"$]/i);
    expect(text).not.toMatch(/FDI_(AUTH_TOKEN|SECRET_KEY|SECURITY_TOKEN|IAM_PASSWORD)/);
  });

  it('OBS triggers: manifests (.yaml, .yml) and continuations (state/ + .continue), as the handler classifies keys', () => {
    const rules = Object.values(locals.obs_triggers as Record<string, { prefix: string; suffix: string }>).map((r) => ({
      prefix: resolve(r.prefix),
      suffix: r.suffix,
    }));
    const defaults = loadConfig({}).prefixes;
    const manifest = rules.filter((r) => r.prefix === defaults.manifest).map((r) => r.suffix);
    expect(manifest.sort()).toEqual(['.yaml', '.yml']);
    for (const s of manifest) expect(MANIFEST_SUFFIX.test(`a${s}`), s).toBe(true);
    // Every suffix MANIFEST_SUFFIX accepts has its rule (the regex allows exactly .yaml and .yml).
    for (const s of ['.yaml', '.yml', '.YAML', '.json', '.yaml.bak']) {
      expect(manifest.includes(s), s).toBe(MANIFEST_SUFFIX.test(`a${s}`));
    }
    expect(rules.filter((r) => r.prefix === defaults.state)).toEqual([
      { prefix: defaults.state, suffix: CONTINUATION_SUFFIX },
    ]);
    expect(rules).toHaveLength(3);

    const trigger = one('huaweicloud_fgs_function_trigger', 'obs');
    expect(trigger.type).toBe('OBS');
    expect(trigger.for_each).toContain('local.obs_triggers');
    expect(trigger.function_urn).toBe('${huaweicloud_fgs_function.provisioner.urn}');
    for (const key of ['bucket = var.bucket', 'prefix = each.value.prefix', 'suffix = each.value.suffix']) {
      expect(String(trigger.event_data).replace(/\s+/g, ' '), key).toContain(key);
    }
    expect(String(trigger.event_data)).toContain('s3:ObjectCreated:*');
    const eg = one('huaweicloud_fgs_function_trigger', 'eventgrid');
    expect(eg.type).toBe('EVENTGRID');
    expect(String(eg.event_data)).toContain('HC.OBS.DWR');
  });

  it('async invocation: retried (0-3 attempts) with an event age limit', () => {
    const async = one('huaweicloud_fgs_async_invoke_configuration', 'provisioner');
    expect(async.function_urn).toBe('${huaweicloud_fgs_function.provisioner.urn}');
    const attempts = resolve(async.max_async_retry_attempts) as number;
    expect(attempts).toBeGreaterThanOrEqual(1);
    expect(attempts).toBeLessThanOrEqual(3);
    const age = resolve(async.max_async_event_age_in_seconds) as number;
    expect(age).toBeGreaterThanOrEqual(resolve(one('huaweicloud_fgs_function', 'provisioner').timeout) as number);
    expect(age).toBeLessThanOrEqual(86_400);
  });

  it('the agency: FunctionGraph assumes it; OBS only on the bucket prefixes; FDI task actions only', () => {
    const agency = one('huaweicloud_identity_agency', 'function');
    expect(agency.delegated_domain_name).toBe('op_svc_cff');
    expect(agency.domain_roles).toEqual(['${huaweicloud_identity_role.obs.name}']);
    // ROMA: in the region's project, or only in roma_enterprise_project when set (never both, never all).
    const dyn = agency.dynamic as Record<string, Json[]>;
    expect(agency).not.toHaveProperty('project_role');
    expect(dyn.project_role).toEqual([
      {
        for_each: '${var.roma_enterprise_project == "" ? [var.region] : []}',
        content: [{ project: '${project_role.value}', roles: ['${huaweicloud_identity_role.roma.name}'] }],
      },
    ]);
    expect(dyn.enterprise_project_roles).toEqual([
      {
        for_each: '${var.roma_enterprise_project != "" ? [var.roma_enterprise_project] : []}',
        content: [
          {
            enterprise_project: '${enterprise_project_roles.value}',
            roles: ['${huaweicloud_identity_role.roma.name}'],
          },
        ],
      },
    ]);
    expect(defaultOf('roma_enterprise_project')).toBe('');
    expect(agency).not.toHaveProperty('all_resources_roles');

    type Statement = { Effect: string; Action: string[]; Resource?: string[]; Condition?: unknown };
    const obs = (locals.obs_policy as { Statement: Statement[] }).Statement;
    const byResource = new Map<string, Set<string>>();
    for (const s of obs) {
      expect(s.Effect).toBe('Allow');
      for (const r of s.Resource ?? []) {
        const set = byResource.get(r) ?? new Set<string>();
        for (const a of s.Action) set.add(a);
        byResource.set(r, set);
      }
    }
    const sorted = (r: string) => [...(byResource.get(r) ?? [])].sort();
    expect(sorted('obs:*:*:object:${var.bucket}/${var.manifest_prefix}*')).toEqual([
      'obs:object:GetObject',
      'obs:object:GetObjectVersion',
    ]);
    expect(sorted('obs:*:*:object:${var.bucket}/${var.report_prefix}*')).toEqual([
      'obs:object:GetObject',
      'obs:object:PutObject',
    ]);
    expect(sorted('obs:*:*:object:${var.bucket}/${var.state_prefix}*')).toEqual([
      'obs:object:DeleteObject',
      'obs:object:GetObject',
      'obs:object:PutObject',
    ]);
    expect(sorted('obs:*:*:bucket:${var.bucket}')).toEqual(['obs:bucket:HeadBucket', 'obs:bucket:ListBucket']);
    expect(byResource.size).toBe(4);
    const list = obs.find((s) => s.Action.includes('obs:bucket:ListBucket'))!;
    expect(list.Action).toEqual(['obs:bucket:ListBucket']);
    expect(list.Condition).toEqual({ StringLike: { 'obs:prefix': ['${var.state_prefix}*'] } });
    const roma = (locals.roma_policy as { Statement: Statement[] }).Statement.flatMap((s) => s.Action);
    expect(
      roma.every((a) => /^roma:(tasks|datasources|instances):[a-z]+$/.test(a)),
      roma.join(),
    ).toBe(true);
    expect(roma).toEqual(expect.arrayContaining(['roma:tasks:create', 'roma:tasks:update', 'roma:tasks:list']));
    expect(one('huaweicloud_identity_role', 'obs')).toMatchObject({
      type: 'AX',
      policy:
        '${jsonencode(merge(local.obs_policy, { Statement = concat(local.obs_policy.Statement, local.obs_policy_object_statements, local.obs_destroy_statements) }))}',
    });
    expect(one('huaweicloud_identity_role', 'roma')).toMatchObject({
      type: 'XA',
      policy:
        '${jsonencode(merge(local.roma_policy, { Statement = concat(local.roma_policy.Statement, local.roma_destroy_statements) }))}',
    });
  });
  it("the operator's policy: fdi_policy and fdi_policy_object, empty by default, passed to the function only when set", () => {
    for (const v of ['fdi_policy', 'fdi_policy_object']) {
      expect(tf.variable[v]?.[0], v).toMatchObject({ type: '${string}', default: '' });
      expect(tf.variable[v]?.[0]?.sensitive, `${v} is no secret`).toBeUndefined();
    }
    expect(locals.policy_settings).toEqual({
      FDI_POLICY: '${var.fdi_policy}',
      FDI_POLICY_OBJECT: '${var.fdi_policy_object}',
    });
    // Not in the settings passed as they are: only through the filter that drops empty values.
    expect(locals.settings).not.toHaveProperty('FDI_POLICY');
    expect(locals.settings).not.toHaveProperty('FDI_POLICY_OBJECT');
    const userData = String(one('huaweicloud_fgs_function', 'provisioner').user_data).replace(/\s+/g, ' ');
    expect(userData).toContain('merge(local.limit_settings, local.policy_settings) : k => v if v != ""');
    // The names the product reads (lib/config.ts).
    expect(loadConfig({ FDI_POLICY: 'version: 1\nrules: []\n' }).policy).toMatchObject({ kind: 'inline' });
    expect(loadConfig({ FDI_POLICY_OBJECT: 'operator/fdi-policy.yaml' }).policy).toMatchObject({
      kind: 'object',
      key: 'operator/fdi-policy.yaml',
    });
  });

  it('fails the plan when both are set or the policy object lies under the manifest, report or state prefix', () => {
    const fn = one('huaweicloud_fgs_function', 'provisioner');
    const pre = (fn.lifecycle as { precondition: { condition: string; error_message: string }[] }[])[0].precondition;
    expect(pre.map((p) => p.condition)).toEqual([
      '${var.fdi_policy == "" || var.fdi_policy_object == ""}',
      '${!local.policy_object_in_function_prefix}',
      '${!var.destroy_uploads || !local.destroy_prefix_overlaps}',
    ]);
    const inside = String(locals.policy_object_in_function_prefix).replace(/\s+/g, ' ');
    for (const p of ['var.manifest_prefix', 'var.report_prefix', 'var.state_prefix']) expect(inside).toContain(p);
    expect(inside).toContain('var.destroy_uploads ? [var.destroy_prefix] : []');
    expect(inside).toContain('startswith(local.policy_object_key, p)');
  });

  it('the policy object: read (GetObject, GetObjectVersion) of that one key only when set; never a write', () => {
    const statements = String(locals.obs_policy_object_statements).replace(/\s+/g, ' ');
    expect(statements).toContain('for key in compact([local.policy_object_key])');
    expect(statements).toContain('Action = ["obs:object:GetObject", "obs:object:GetObjectVersion"]');
    expect(statements).toContain('Resource = ["obs:*:*:object:${local.policy_object_bucket}/${key}"]');
    expect(statements).not.toMatch(/\*"\]|Put|Delete|List|Acl/);
    // The function's other statements give nothing outside the manifest, report and state prefixes.
    type Statement = { Action: string[]; Resource?: string[] };
    for (const s of (locals.obs_policy as { Statement: Statement[] }).Statement) {
      for (const r of s.Resource ?? []) {
        expect(r, r).toMatch(
          /^obs:\*:\*:(bucket:\$\{var\.bucket\}|object:\$\{var\.bucket\}\/\$\{var\.(manifest|report|state)_prefix\}\*)$/,
        );
      }
    }
  });

  it('ROMA: only the FDI calls the client makes (no delete, no instance or connector action), as in fdi-user-policy.json', async () => {
    const expected = [
      'roma:datasources:list',
      'roma:tasks:create',
      'roma:tasks:get',
      'roma:tasks:list',
      'roma:tasks:operate',
      'roma:tasks:update',
    ];
    type Policy = { Version: string; Statement: { Effect: string; Action: string[]; Resource?: unknown }[] };
    const roma = locals.roma_policy as Policy;
    expect(roma.Version).toBe('1.1');
    expect(roma.Statement.map((s) => s.Effect)).toEqual(['Allow']);
    expect(roma.Statement.flatMap((s) => s.Action).sort()).toEqual(expected);
    const user = JSON.parse(await readFile(path.join(DIR, 'fdi-user-policy.json'), 'utf8')) as Policy;
    expect(user).toEqual(roma);
  });

  it('destroy uploads: variables off by default (destroy_uploads false, destroy_prefix destroy/), a valid prefix', () => {
    expect(tf.variable.destroy_uploads?.[0]).toMatchObject({ type: '${bool}', default: false });
    expect(tf.variable.destroy_prefix?.[0]).toMatchObject({ type: '${string}', default: 'destroy/' });
    const validation = (tf.variable.destroy_prefix[0].validation as { condition: string }[])[0];
    expect(validation.condition).toBe('${can(regex("^[^/].*/$", var.destroy_prefix))}');
    // The default is no prefix of the others, nor they of it (lib/config.ts would refuse it).
    expect(() =>
      loadConfig({ FDI_DESTROY_UPLOADS: 'true', DESTROY_PREFIX: defaultOf('destroy_prefix') as string }),
    ).not.toThrow();
  });

  it('destroy uploads: settings, triggers, the OBS read and roma:tasks:delete each only with destroy_uploads', () => {
    const flat = (v: unknown) => String(v).replace(/\s+/g, ' ');
    // Settings: passed beside the others only when enabled.
    expect(flat(locals.destroy_settings)).toBe(
      '${var.destroy_uploads ? { FDI_DESTROY_UPLOADS = "true" DESTROY_PREFIX = var.destroy_prefix } : {}}',
    );
    expect(locals.settings).not.toHaveProperty('FDI_DESTROY_UPLOADS');
    expect(locals.settings).not.toHaveProperty('DESTROY_PREFIX');
    const fn = one('huaweicloud_fgs_function', 'provisioner');
    expect(String(fn.user_data)).toContain('jsonencode(merge(local.settings, local.destroy_settings, {');
    // Triggers: the destroy prefix with the suffixes MANIFEST_SUFFIX accepts, merged in only when enabled.
    expect(flat(locals.destroy_obs_triggers)).toBe(
      '${var.destroy_uploads ? { destroy_yaml = { prefix = var.destroy_prefix, suffix = ".yaml" } destroy_yml = { prefix = var.destroy_prefix, suffix = ".yml" } } : {}}',
    );
    for (const s of ['.yaml', '.yml']) expect(MANIFEST_SUFFIX.test(`a${s}`), s).toBe(true);
    expect(one('huaweicloud_fgs_function_trigger', 'obs').for_each).toBe(
      '${var.trigger_type == "OBS" ? merge(local.obs_triggers, local.destroy_obs_triggers) : {}}',
    );
    expect(JSON.stringify(locals.obs_triggers)).not.toContain('destroy');
    // OBS: a read of the destroy prefix, nothing more; none by default.
    const obs = flat(locals.obs_destroy_statements);
    expect(obs).toMatch(/^\$\{var\.destroy_uploads \? \[/);
    expect(obs).toContain('Action = ["obs:object:GetObject", "obs:object:GetObjectVersion"]');
    expect(obs).toContain('Resource = ["obs:*:*:object:${var.bucket}/${var.destroy_prefix}*"]');
    expect(obs).toMatch(/\] : \[\]\}$/);
    expect(obs).not.toMatch(/Put|Delete|List/);
    expect(JSON.stringify(locals.obs_policy)).not.toContain('destroy');
    // ROMA: roma:tasks:delete alone, only when enabled; the base policy has no delete.
    expect(flat(locals.roma_destroy_statements)).toBe(
      '${var.destroy_uploads ? [ { Effect = "Allow" Action = ["roma:tasks:delete"] }, ] : []}',
    );
    expect(JSON.stringify(locals.roma_policy)).not.toContain('delete');
  });

  it('destroy uploads: the plan fails when the destroy prefix overlaps the manifest, report or state prefix', () => {
    const overlaps = String(locals.destroy_prefix_overlaps).replace(/\s+/g, ' ');
    for (const p of ['var.manifest_prefix', 'var.report_prefix', 'var.state_prefix']) expect(overlaps).toContain(p);
    expect(overlaps).toContain('startswith(var.destroy_prefix, p) || startswith(p, var.destroy_prefix)');
    const fn = one('huaweicloud_fgs_function', 'provisioner');
    const pre = (fn.lifecycle as { precondition: { condition: string; error_message: string }[] }[])[0].precondition;
    const check = pre.find((p) => p.condition.includes('destroy_prefix_overlaps'))!;
    expect(check.condition).toBe('${!var.destroy_uploads || !local.destroy_prefix_overlaps}');
    expect(check.error_message).toMatch(/destroy_prefix must not overlap/);
    // The same rule as the product's.
    for (const p of ['manifests/destroy/', 'manifests/', 'reports/', 'state/x/']) {
      expect(() => loadConfig({ FDI_DESTROY_UPLOADS: 'true', DESTROY_PREFIX: p }), p).toThrow(/overlaps/);
    }
  });

  it('fdi-user-policy.json grants no delete (docs/DEPLOY.md: add roma:tasks:delete for destroy uploads on AWS)', async () => {
    expect(await readFile(path.join(DIR, 'fdi-user-policy.json'), 'utf8')).not.toContain('delete');
    expect(await readFile(path.join(ROOT, 'docs/DEPLOY.md'), 'utf8')).toContain('roma:tasks:delete');
  });

  // The locals above are expressions to hcl2json; terraform itself evaluates them (offline: no provider).
  const terraform = (() => {
    try {
      execFileSync('terraform', ['version'], { stdio: 'ignore', timeout: 20_000 });
      return true;
    } catch {
      return false;
    }
  })();
  /**
   * A folder holding main.tf's locals and variables.tf, where `terraform console` evaluates them offline;
   * removed when the test ends.
   */
  async function consoleWorkspace(prefix: string): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), prefix));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const main = await readFile(path.join(DIR, 'main.tf'), 'utf8');
    const blocks = main.match(/^locals \{[\s\S]*?^\}$/gm) ?? [];
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    await writeFile(path.join(dir, 'locals.tf'), blocks.join('\n').replace('filesha256(var.package_path)', '"test"'));
    await writeFile(path.join(dir, 'variables.tf'), await readFile(path.join(DIR, 'variables.tf'), 'utf8'));
    return dir;
  }

  /** One expression (a piped console answers only the last line it is given), with the required variables set. */
  function terraformConsole(dir: string, vars: Record<string, string>, expression: string): unknown {
    const args = ['console'];
    const all = { region: 'cn-north-4', bucket: 'b', fdi_project_id: 'p', fdi_instance_id: 'i', ...vars };
    for (const [k, v] of Object.entries(all)) args.push('-var', `${k}=${v}`);
    const out = execFileSync('terraform', args, {
      cwd: dir,
      input: expression,
      encoding: 'utf8',
      timeout: 60_000,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' },
    });
    return JSON.parse(JSON.parse(out.trim()) as string);
  }

  it.skipIf(!terraform)(
    'terraform console: the policy grant, the prefix check and the settings for each form',
    async () => {
      const dir = await consoleWorkspace('fdi-tf-');
      const evaluate = (vars: Record<string, string>) => {
        const input =
          'jsonencode({ grant = local.obs_policy_object_statements, inside = local.policy_object_in_function_prefix, ' +
          'passed = { for k, v in merge(local.limit_settings, local.policy_settings) : k => v if v != "" } })';
        return terraformConsole(dir, vars, input) as { grant: unknown; inside: boolean; passed: unknown };
      };
      const read = (resource: string) => [
        { Effect: 'Allow', Action: ['obs:object:GetObject', 'obs:object:GetObjectVersion'], Resource: [resource] },
      ];
      expect(evaluate({})).toEqual({ grant: [], inside: false, passed: {} });
      expect(evaluate({ fdi_policy: 'version: 1' })).toEqual({
        grant: [],
        inside: false,
        passed: { FDI_POLICY: 'version: 1' },
      });
      expect(evaluate({ fdi_policy_object: 'operator/fdi-policy.yaml' })).toEqual({
        grant: read('obs:*:*:object:b/operator/fdi-policy.yaml'),
        inside: false,
        passed: { FDI_POLICY_OBJECT: 'operator/fdi-policy.yaml' },
      });
      expect(evaluate({ fdi_policy_object: 's3://ops/fdi/policy.json' })).toMatchObject({
        grant: read('obs:*:*:object:ops/fdi/policy.json'),
        inside: false,
      });
      for (const key of ['manifests/p.yaml', 'reports/p.yaml', 'state/p.yaml', 's3://b/manifests/team-a/p.yaml']) {
        expect(evaluate({ fdi_policy_object: key }).inside, key).toBe(true);
      }
    },
    120_000,
  );
  it.skipIf(!terraform)(
    'terraform console: destroy uploads off by default, everything of theirs on with destroy_uploads, overlap found',
    async () => {
      const dir = await consoleWorkspace('fdi-tf-destroy-');
      const evaluate = (vars: Record<string, string>) => {
        // What the resources take: the settings, the OBS triggers, both roles' statements.
        const input =
          'jsonencode({ settings = local.destroy_settings, triggers = merge(local.obs_triggers, local.destroy_obs_triggers), ' +
          'obs = concat(local.obs_policy.Statement, local.obs_policy_object_statements, local.obs_destroy_statements), ' +
          'roma = concat(local.roma_policy.Statement, local.roma_destroy_statements), overlaps = local.destroy_prefix_overlaps, ' +
          'policy_inside = local.policy_object_in_function_prefix })';
        return terraformConsole(dir, vars, input) as {
          settings: Record<string, string>;
          triggers: Record<string, { prefix: string; suffix: string }>;
          obs: { Action: string[]; Resource?: string[] }[];
          roma: { Action: string[] }[];
          overlaps: boolean;
          policy_inside: boolean;
        };
      };
      const destroyReads = (r: ReturnType<typeof evaluate>, prefix: string) =>
        r.obs.filter((s) => (s.Resource ?? []).some((x) => x.startsWith(`obs:*:*:object:b/${prefix}`)));

      const off = evaluate({ destroy_prefix: 'destroy/' });
      expect(off.settings).toEqual({});
      expect(Object.keys(off.triggers).sort()).toEqual(['continuation', 'manifest_yaml', 'manifest_yml']);
      expect(destroyReads(off, 'destroy/')).toEqual([]);
      expect(off.roma.flatMap((s) => s.Action)).not.toContain('roma:tasks:delete');
      expect(off.overlaps).toBe(false);

      const on = evaluate({ destroy_uploads: 'true' });
      expect(on.settings).toEqual({ FDI_DESTROY_UPLOADS: 'true', DESTROY_PREFIX: 'destroy/' });
      expect(loadConfig(on.settings).prefixes.destroy).toBe('destroy/');
      expect(on.triggers).toMatchObject({
        destroy_yaml: { prefix: 'destroy/', suffix: '.yaml' },
        destroy_yml: { prefix: 'destroy/', suffix: '.yml' },
      });
      expect(Object.keys(on.triggers)).toHaveLength(5);
      expect(destroyReads(on, 'destroy/')).toEqual([
        {
          Effect: 'Allow',
          Action: ['obs:object:GetObject', 'obs:object:GetObjectVersion'],
          Resource: ['obs:*:*:object:b/destroy/*'],
        },
      ]);
      expect(on.roma.flatMap((s) => s.Action).filter((a) => a === 'roma:tasks:delete')).toEqual(['roma:tasks:delete']);
      expect(on.overlaps).toBe(false);

      const teardown = evaluate({ destroy_uploads: 'true', destroy_prefix: 'teardown/' });
      expect(teardown.triggers.destroy_yml).toEqual({ prefix: 'teardown/', suffix: '.yml' });
      expect(destroyReads(teardown, 'teardown/')).toHaveLength(1);
      // A policy object under the destroy prefix: uploaders write there.
      expect(evaluate({ destroy_uploads: 'true', fdi_policy_object: 'destroy/p.yaml' }).policy_inside).toBe(true);
      expect(evaluate({ fdi_policy_object: 'destroy/p.yaml' }).policy_inside).toBe(false);

      for (const p of ['manifests/destroy/', 'manifests/', 'reports/', 'state/x/']) {
        expect(evaluate({ destroy_uploads: 'true', destroy_prefix: p }).overlaps, p).toBe(true);
      }
      // Not a prefix at all: refused by the variable's validation.
      for (const p of ['', 'destroy', '/destroy/']) {
        expect(() => evaluate({ destroy_uploads: 'true', destroy_prefix: p }), JSON.stringify(p)).toThrow();
      }
    },
    180_000,
  );
});
