/**
 * serverless.yml keeps secrets out of the Lambda's environment: only the names of SSM parameters, read
 * at cold start (lib/trigger/aws-secrets.ts), with ssm:GetParameter(s) granted on those alone; and it
 * names a supported Node.js runtime (20 reached end of life in April 2026); the operator's policy
 * (FDI_POLICY, FDI_POLICY_OBJECT) is passed, empty by default, and the function may read the operator's
 * prefix and never write it.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../../lib/config.js';
import { PARAM_SUFFIX, SECRET_SETTINGS } from '../../../lib/trigger/aws-secrets.js';
import { ROOT } from '../../helpers/cli.js';
import { SECRET_LOOKING } from './secret-names.js';

interface Statement {
  Effect: string;
  Action: string[];
  Resource: unknown;
  Condition?: unknown;
}
interface ServerlessYml {
  params: { default: Record<string, unknown> };
  provider: { runtime: string; environment: Record<string, string>; iam: { role: { statements: Statement[] } } };
}

const load = async () => parse(await readFile(path.join(ROOT, 'serverless.yml'), 'utf8')) as ServerlessYml;

describe('serverless.yml', () => {
  it('its environment holds no secret: secret settings only as <NAME>_PARAM naming a parameter', async () => {
    const { provider } = await load();
    const env = provider.environment;
    for (const [name, value] of Object.entries(env)) {
      if (!SECRET_LOOKING.test(name)) continue;
      expect(name, `${name} holds a secret-looking value`).toMatch(new RegExp(`${PARAM_SUFFIX}$`));
      expect(value, name).toMatch(/^\$\{param:[A-Za-z]+\}$/);
    }
    for (const secret of ['FDI_AUTH_TOKEN', 'FDI_SECRET_KEY', 'FDI_SECURITY_TOKEN', 'FDI_IAM_PASSWORD']) {
      expect(env, secret).not.toHaveProperty(secret);
      expect(env, secret).toHaveProperty(`${secret}${PARAM_SUFFIX}`);
    }
    for (const setting of SECRET_SETTINGS) expect(env).toHaveProperty(`${setting}${PARAM_SUFFIX}`);
    expect(JSON.stringify(env)).not.toMatch(/\$\{ssm:/);
  });

  it('grants ssm:GetParameter(s) only under the secrets path, and kms:Decrypt only via SSM for those parameters', async () => {
    const { params, provider } = await load();
    expect(params.default.ssmPath).toBe('/fdi-provisioner/${sls:stage}');
    const ssm = provider.iam.role.statements.filter((s) => s.Action.some((a) => a.startsWith('ssm:')));
    expect(ssm).toHaveLength(1);
    expect(ssm[0].Action.sort()).toEqual(['ssm:GetParameter', 'ssm:GetParameters']);
    expect(JSON.stringify(ssm[0].Resource)).toContain(':parameter${param:ssmPath}/*');
    const kms = provider.iam.role.statements.filter((s) => s.Action.some((a) => a.startsWith('kms:')));
    expect(kms.map((s) => s.Action)).toEqual([['kms:Decrypt']]);
    expect(JSON.stringify(kms[0].Condition)).toContain('kms:ViaService');
    expect(JSON.stringify(kms[0].Condition)).toContain(':parameter${param:ssmPath}/*');
    const actions = provider.iam.role.statements.flatMap((s) => s.Action);
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
  });

  it('runs on a supported Node.js runtime (22 or newer)', async () => {
    const { provider } = await load();
    const major = Number(/^nodejs(\d+)\.x$/.exec(provider.runtime)?.[1]);
    expect(major).toBeGreaterThanOrEqual(22);
  });
  it("passes the operator's policy, empty by default: FDI_POLICY from the environment, FDI_POLICY_OBJECT from a param", async () => {
    const { params, provider } = await load();
    expect(provider.environment.FDI_POLICY).toBe("${env:FDI_POLICY, ''}");
    expect(provider.environment.FDI_POLICY_OBJECT).toBe('${param:policyObject}');
    expect(params.default.policyObject).toBe('');
    // Empty: no policy (the product then restricts nothing); set: the names lib/config.ts reads.
    expect(loadConfig({ FDI_POLICY: '', FDI_POLICY_OBJECT: '' }).policy).toBeUndefined();
    expect(loadConfig({ FDI_POLICY_OBJECT: `${String(params.default.policyPrefix)}fdi-policy.yaml` }).policy).toEqual({
      kind: 'object',
      key: 'operator/fdi-policy.yaml',
    });
  });

  it("grants a read of the operator's prefix only: no write, delete or list there, nothing bucket-wide", async () => {
    const { params, provider } = await load();
    const prefix = params.default.policyPrefix as string;
    expect(prefix).toBe('operator/');
    // Not a prefix the uploaders or the function write.
    const prefixes = loadConfig({}).prefixes;
    for (const p of [prefixes.manifest, prefixes.report, prefixes.state]) {
      expect(prefix.startsWith(p) || p.startsWith(prefix), p).toBe(false);
    }
    const statements = provider.iam.role.statements;
    const operator = statements.filter((s) => JSON.stringify(s.Resource).includes('${param:policyPrefix}'));
    expect(operator).toEqual([
      {
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:GetObjectVersion'],
        Resource: 'arn:aws:s3:::${self:custom.bucket}/${param:policyPrefix}*',
      },
    ]);
    // Every S3 object grant names one of the function's prefixes; none is the whole bucket.
    for (const s of statements.filter((st) => st.Action.some((a) => a.startsWith('s3:')))) {
      for (const r of ([] as unknown[]).concat(s.Resource)) {
        expect(String(r), String(r)).toMatch(
          /^arn:aws:s3:::\$\{self:custom\.bucket\}(\/(manifests|reports|state)\/\*|\/\$\{param:policyPrefix\}\*)?$/,
        );
      }
      if (!String(s.Resource).includes('/')) expect(s.Action).toEqual(['s3:ListBucket']);
    }
    const writes = statements.filter((s) => s.Action.some((a) => /^s3:(Put|Delete)/.test(a)));
    for (const s of writes) expect(JSON.stringify(s.Resource)).not.toContain('policyPrefix');
  });
});
