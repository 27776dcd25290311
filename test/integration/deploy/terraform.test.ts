/**
 * deploy/huaweicloud/*.tf parse (an HCL parser from npm) and agree with the product: the handler and
 * the package `npm run package:functiongraph` writes, the trigger prefixes and suffixes (lib/config.ts
 * defaults, MANIFEST_SUFFIX and CONTINUATION_SUFFIX), least-privilege policies, async retries, and no
 * secret-looking variable or setting with a literal value.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { beforeAll, describe, expect, it } from 'vitest';
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
    expect(agency.project_role).toEqual([
      { project: '${var.region}', roles: ['${huaweicloud_identity_role.roma.name}'] },
    ]);
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
      policy: '${jsonencode(local.obs_policy)}',
    });
    expect(one('huaweicloud_identity_role', 'roma')).toMatchObject({
      type: 'XA',
      policy: '${jsonencode(local.roma_policy)}',
    });
  });
});
