/**
 * Destroy uploads in serverless.yml are off by default and exist only when the deployment asks for them
 * (param destroyUploads): the settings FDI_DESTROY_UPLOADS/DESTROY_PREFIX, the S3 events for the destroy
 * prefix (.yaml, .yml) and the read grant on it (a CloudFormation condition). Checked on the YAML and on
 * the CloudFormation template osls packages offline, from a copy of serverless.yml in a temporary
 * folder (a stub handler, so nothing is written beside the real build).
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../../lib/config.js';
import { classifyRef, MANIFEST_SUFFIX } from '../../../lib/trigger/s3-event.js';
import { ROOT, cleanEnv, tempDir } from '../../helpers/cli.js';

const run = promisify(execFile);

interface S3Event {
  s3: { bucket: string; existing: string; event: string; rules: Record<string, string>[] };
}
interface Choice {
  enabled: string;
  prefix: string;
  events: S3Event[];
}
interface ServerlessYml {
  params: { default: Record<string, unknown> };
  custom: { destroyUploads: string; destroyUploadsBy: Record<string, Choice> };
  provider: { environment: Record<string, string> };
  functions: { provision: { events: unknown } };
  resources: { Conditions: Record<string, unknown>; Resources: Record<string, { Condition?: string }> };
}

const load = async () => parse(await readFile(path.join(ROOT, 'serverless.yml'), 'utf8')) as ServerlessYml;
const rulesOf = (events: S3Event[]) => events.map((e) => Object.assign({}, ...e.s3.rules) as Record<string, string>);

describe('serverless.yml: destroy uploads (static)', () => {
  it('params: off by default, destroy/ as the prefix; the choice goes through strToBool', async () => {
    const { params, custom, provider, functions } = await load();
    expect(params.default.destroyUploads).toBe('false');
    expect(params.default.destroyPrefix).toBe('destroy/');
    expect(custom.destroyUploads).toBe('${self:custom.destroyUploadsBy.${strToBool(${param:destroyUploads})}}');
    expect(Object.keys(custom.destroyUploadsBy).sort()).toEqual(['false', 'true']);
    expect(functions.provision.events).toBe('${self:custom.destroyUploads.events}');
    expect(provider.environment.FDI_DESTROY_UPLOADS).toBe('${self:custom.destroyUploads.enabled}');
    expect(provider.environment.DESTROY_PREFIX).toBe('${self:custom.destroyUploads.prefix}');
  });

  it('disabled: no destroy event, FDI_DESTROY_UPLOADS false, no prefix; the product then classifies no destroy', async () => {
    const off = (await load()).custom.destroyUploadsBy.false;
    expect(off.enabled).toBe('false');
    expect(off.prefix).toBe('');
    expect(rulesOf(off.events)).toEqual([
      { prefix: 'manifests/', suffix: '.yaml' },
      { prefix: 'manifests/', suffix: '.yml' },
      { prefix: 'state/', suffix: '.continue' },
    ]);
    const config = loadConfig({ FDI_DESTROY_UPLOADS: off.enabled, DESTROY_PREFIX: off.prefix });
    expect(config.prefixes.destroy).toBeUndefined();
    const ref = { bucket: 'b', key: 'destroy/wave1.yaml', eventName: 'ObjectCreated:Put' };
    expect(classifyRef(ref as Parameters<typeof classifyRef>[0], config.prefixes).kind).toBe('ignored');
  });

  it('enabled: the same events plus the destroy prefix with .yaml and .yml, as the handler classifies them', async () => {
    const { custom } = await load();
    const on = custom.destroyUploadsBy.true;
    expect(on.enabled).toBe('true');
    expect(on.prefix).toBe('${param:destroyPrefix}');
    // The events shared with the disabled list are the same objects (YAML aliases), not copies.
    expect(on.events.slice(0, 3)).toEqual(custom.destroyUploadsBy.false.events);
    const destroy = rulesOf(on.events.slice(3));
    expect(destroy).toEqual([
      { prefix: '${param:destroyPrefix}', suffix: '.yaml' },
      { prefix: '${param:destroyPrefix}', suffix: '.yml' },
    ]);
    for (const s of ['.yaml', '.yml', '.YAML', '.json']) {
      expect(
        destroy.some((r) => r.suffix === s),
        s,
      ).toBe(MANIFEST_SUFFIX.test(`a${s}`));
    }
    for (const e of on.events.slice(3)) {
      expect(e.s3).toMatchObject({
        bucket: '${self:custom.bucket}',
        existing: '${param:existingBucket}',
        event: 's3:ObjectCreated:*',
      });
    }
    const config = loadConfig({ FDI_DESTROY_UPLOADS: on.enabled, DESTROY_PREFIX: 'destroy/' });
    expect(config.prefixes.destroy).toBe('destroy/');
    const ref = { bucket: 'b', key: 'destroy/wave1.yaml', eventName: 'ObjectCreated:Put' };
    expect(classifyRef(ref as Parameters<typeof classifyRef>[0], config.prefixes).kind).toBe('destroy');
  });

  it('the read grant on the destroy prefix is conditional: resource DestroyUploadsReadPolicy under DestroyUploads', async () => {
    const { resources } = await load();
    expect(resources.Conditions.DestroyUploads).toEqual({
      'Fn::Equals': ['${self:custom.destroyUploads.enabled}', 'true'],
    });
    expect(resources.Resources.DestroyUploadsReadPolicy).toMatchObject({
      Type: 'AWS::IAM::Policy',
      Condition: 'DestroyUploads',
    });
  });

  it('a destroy prefix overlapping manifests/, reports/ or state/ is refused by the function', () => {
    for (const p of ['manifests/destroy/', 'manifests/', 'reports/', 'state/x/']) {
      expect(() => loadConfig({ FDI_DESTROY_UPLOADS: 'true', DESTROY_PREFIX: p }), p).toThrow(/overlaps/);
    }
    expect(() => loadConfig({ FDI_DESTROY_UPLOADS: 'true', DESTROY_PREFIX: 'teardown/' })).not.toThrow();
  });
});

interface Template {
  Conditions?: Record<string, { 'Fn::Equals': [unknown, unknown] }>;
  Resources: Record<string, { Type: string; Condition?: string; Properties: Record<string, unknown> }>;
}

describe('serverless.yml: destroy uploads (osls package, offline)', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  /** Packages a copy of serverless.yml with the given params; the template, or the error output. */
  async function pack(params: Record<string, string>): Promise<Template> {
    const dir = await tempDir('fdi-sls-destroy-');
    dirs.push(dir);
    await writeFile(path.join(dir, 'serverless.yml'), await readFile(path.join(ROOT, 'serverless.yml'), 'utf8'));
    await symlink(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    await mkdir(path.join(dir, 'handlers'), { recursive: true });
    await writeFile(path.join(dir, 'handlers/manifest-uploaded.ts'), 'export const handler = async () => undefined;\n');
    const args = ['package', '--stage', 'dev', ...Object.entries(params).map(([k, v]) => `--param=${k}=${v}`)];
    await run(path.join(ROOT, 'node_modules/.bin/osls'), args, {
      cwd: dir,
      env: cleanEnv({ SLS_TELEMETRY_DISABLED: '1' }),
      timeout: 120_000,
    });
    return JSON.parse(
      await readFile(path.join(dir, '.serverless/cloudformation-template-update-stack.json'), 'utf8'),
    ) as Template;
  }
  const conditionHolds = (t: Template, name: string) => {
    const [a, b] = t.Conditions![name]['Fn::Equals'];
    return a === b;
  };
  /** The resources CloudFormation creates: those without a condition or whose condition holds. */
  const created = (t: Template) =>
    Object.values(t.Resources).filter((r) => r.Condition === undefined || conditionHolds(t, r.Condition));
  const notifications = (t: Template, existing: boolean) => {
    if (existing) {
      const custom = created(t).filter((r) => r.Type === 'Custom::S3');
      return custom.flatMap((r) =>
        (r.Properties.BucketConfigs as { Rules: Record<string, string>[] }[]).map((c) => {
          const rule = Object.assign({}, ...c.Rules) as { Prefix: string; Suffix: string };
          return { prefix: rule.Prefix, suffix: rule.Suffix };
        }),
      );
    }
    const bucket = created(t).find((r) => r.Type === 'AWS::S3::Bucket' && r.Properties.NotificationConfiguration)!;
    const configs = (
      bucket.Properties.NotificationConfiguration as {
        LambdaConfigurations: { Filter: { S3Key: { Rules: { Name: string; Value: string }[] } } }[];
      }
    ).LambdaConfigurations;
    return configs.map((c) => Object.fromEntries(c.Filter.S3Key.Rules.map((r) => [r.Name, r.Value])));
  };
  const environment = (t: Template) =>
    (
      created(t).find((r) => r.Type === 'AWS::Lambda::Function')!.Properties.Environment as {
        Variables: Record<string, string>;
      }
    ).Variables;
  /** Every S3 object ARN the function's role and the created policies grant. */
  const granted = (t: Template) =>
    created(t)
      .filter((r) => r.Type === 'AWS::IAM::Role' || r.Type === 'AWS::IAM::Policy')
      .flatMap((r) => {
        const docs =
          r.Type === 'AWS::IAM::Role'
            ? (r.Properties.Policies as { PolicyDocument: unknown }[]).map((p) => p.PolicyDocument)
            : [r.Properties.PolicyDocument];
        return docs.flatMap((d) => (d as { Statement: { Action: unknown; Resource: unknown }[] }).Statement);
      })
      .filter((s) => JSON.stringify(s.Action).includes('s3:GetObject'))
      .flatMap((s) => ([] as unknown[]).concat(s.Resource))
      .map((r) => JSON.stringify(r));
  const base = [
    { prefix: 'manifests/', suffix: '.yaml' },
    { prefix: 'manifests/', suffix: '.yml' },
    { prefix: 'state/', suffix: '.continue' },
  ];

  it('by default: no destroy events, no grant on destroy/, FDI_DESTROY_UPLOADS=false', async () => {
    const t = await pack({});
    expect(conditionHolds(t, 'DestroyUploads')).toBe(false);
    expect(notifications(t, false)).toEqual(base);
    expect(granted(t).filter((r) => r.includes('destroy'))).toEqual([]);
    expect(environment(t)).toMatchObject({ FDI_DESTROY_UPLOADS: 'false', DESTROY_PREFIX: '' });
    expect(loadConfig(environment(t)).prefixes.destroy).toBeUndefined();
  }, 150_000);

  it('destroyUploads=true: the destroy events (.yaml, .yml), a read of destroy/* and the settings', async () => {
    const t = await pack({ destroyUploads: 'true' });
    expect(conditionHolds(t, 'DestroyUploads')).toBe(true);
    expect(notifications(t, false)).toEqual([
      ...base,
      { prefix: 'destroy/', suffix: '.yaml' },
      { prefix: 'destroy/', suffix: '.yml' },
    ]);
    const policy = created(t).find((r) => r.Type === 'AWS::IAM::Policy')!;
    expect(policy.Properties.Roles).toEqual([{ Ref: 'IamRoleLambdaExecution' }]);
    expect(policy.Properties.PolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['s3:GetObject', 's3:GetObjectVersion'],
          Resource: 'arn:aws:s3:::fdi-provisioner-dev/destroy/*',
        },
      ],
    });
    expect(environment(t)).toMatchObject({ FDI_DESTROY_UPLOADS: 'true', DESTROY_PREFIX: 'destroy/' });
    expect(loadConfig(environment(t)).prefixes.destroy).toBe('destroy/');
  }, 150_000);

  it('an existing bucket and another prefix: the custom resource gets the destroy rules too', async () => {
    const t = await pack({ destroyUploads: '1', existingBucket: 'true', destroyPrefix: 'teardown/' });
    expect(notifications(t, true)).toEqual([
      ...base,
      { prefix: 'teardown/', suffix: '.yaml' },
      { prefix: 'teardown/', suffix: '.yml' },
    ]);
    expect(granted(t)).toContain('"arn:aws:s3:::fdi-provisioner-dev/teardown/*"');
    expect(environment(t)).toMatchObject({ FDI_DESTROY_UPLOADS: 'true', DESTROY_PREFIX: 'teardown/' });
  }, 150_000);

  it('refuses a destroyUploads other than true/false/1/0 at packaging', async () => {
    const error = (await pack({ destroyUploads: 'yes' }).then(
      () => undefined,
      (err: unknown) => err,
    )) as { stdout?: string; stderr?: string } | undefined;
    expect(error, 'packaged').toBeDefined();
    expect(`${error?.stdout ?? ''}${error?.stderr ?? ''}`).toMatch(/Invalid "strToBool" input/);
  }, 150_000);
});
