/**
 * Where the operator's policy comes from (docs/SECURITY.md, "Fail-closed", "Where to keep it"): the
 * environment (FDI_POLICY or FDI_POLICY_OBJECT, never both, never under a prefix others write), and
 * reading it at the start of a run, where anything wrong is a PolicyError (the run fails closed).
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, type PolicySource } from '../../../lib/config.js';
import { ConfigError } from '../../../lib/errors.js';
import { MAX_POLICY_BYTES, PolicyError } from '../../../lib/policy/policy.js';
import { localStore } from '../../../lib/storage/local-store.js';
import type { ObjectStore } from '../../../lib/storage/object-store.js';
import { policyLoader } from '../../../lib/storage/policy-store.js';
import { tempDir } from '../../helpers/cli.js';

const POLICY_TEXT = `version: 1
rules:
  - prefix: manifests/team-a/
    projects: [proj-a]
    instances: ["inst-a-*"]
`;

/** The ConfigError loadConfig throws for `env` (fails the test when it loads). */
function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig: the policy source', () => {
  it('nothing set: no policy', () => {
    expect(loadConfig({}).policy).toBeUndefined();
  });

  it('FDI_POLICY: the text itself, as given', () => {
    expect(loadConfig({ FDI_POLICY: POLICY_TEXT }).policy).toEqual({ kind: 'inline', text: POLICY_TEXT });
    // Not trimmed, not parsed: parsing is the loader's, at the start of every run.
    expect(loadConfig({ FDI_POLICY: '  not: a policy\n' }).policy).toEqual({
      kind: 'inline',
      text: '  not: a policy\n',
    });
  });

  it('FDI_POLICY of only blanks: no policy (and no conflict with FDI_POLICY_OBJECT)', () => {
    expect(loadConfig({ FDI_POLICY: '' }).policy).toBeUndefined();
    expect(loadConfig({ FDI_POLICY: ' \n\t ' }).policy).toBeUndefined();
    expect(loadConfig({ FDI_POLICY: '  ', FDI_POLICY_OBJECT: 'operator/p.yaml' }).policy).toEqual({
      kind: 'object',
      key: 'operator/p.yaml',
    });
    expect(loadConfig({ FDI_POLICY_OBJECT: '   ' }).policy).toBeUndefined();
  });

  it('FDI_POLICY and FDI_POLICY_OBJECT together: a ConfigError naming both', () => {
    const e = configError({ FDI_POLICY: POLICY_TEXT, FDI_POLICY_OBJECT: 'operator/fdi-policy.yaml' });
    expect(e.message).toBe('FDI_POLICY and FDI_POLICY_OBJECT are both set: keep the policy in one place');
  });

  it('...and among the other wrong settings', () => {
    const e = configError({ FDI_POLICY: POLICY_TEXT, FDI_POLICY_OBJECT: 'operator/p.yaml', FDI_RATE: 'fast' });
    expect(e.message).toMatch(/^2 settings are wrong:\n/);
    expect(e.message).toContain('  - FDI_POLICY and FDI_POLICY_OBJECT are both set');
  });

  it('FDI_POLICY_OBJECT as a key: an object of the manifest bucket', () => {
    expect(loadConfig({ FDI_POLICY_OBJECT: 'operator/fdi-policy.yaml' }).policy).toEqual<PolicySource>({
      kind: 'object',
      key: 'operator/fdi-policy.yaml',
    });
    expect(loadConfig({ FDI_POLICY_OBJECT: ' /operator/fdi-policy.yaml ' }).policy).toEqual({
      kind: 'object',
      key: 'operator/fdi-policy.yaml',
    });
  });

  it('FDI_POLICY_OBJECT as s3://bucket/key: the bucket and the key', () => {
    expect(loadConfig({ FDI_POLICY_OBJECT: 's3://ops-bucket/operator/fdi-policy.yaml' }).policy).toEqual({
      kind: 'object',
      bucket: 'ops-bucket',
      key: 'operator/fdi-policy.yaml',
    });
    expect(loadConfig({ FDI_POLICY_OBJECT: 's3://ops-bucket/p.json' }).policy).toEqual({
      kind: 'object',
      bucket: 'ops-bucket',
      key: 'p.json',
    });
  });

  it.each(['s3://ops-bucket', 's3://ops-bucket/', 's3://ops-bucket/operator/', 'operator/', '/', 's3:///key'])(
    'FDI_POLICY_OBJECT %j is not an object: a ConfigError',
    (value) => {
      expect(configError({ FDI_POLICY_OBJECT: value }).message).toBe(
        `FDI_POLICY_OBJECT must be an object key or s3://bucket/key (got ${JSON.stringify(value)})`,
      );
    },
  );

  it.each([
    ['MANIFEST_PREFIX', 'manifests/', 'manifests/fdi-policy.yaml'],
    ['MANIFEST_PREFIX', 'manifests/', 'manifests/team-a/policy.yaml'],
    ['REPORT_PREFIX', 'reports/', 'reports/policy.yaml'],
    ['STATE_PREFIX', 'state/', 'state/policy.yaml'],
  ])('an object under %s ("%s"): a ConfigError', (name, prefix, key) => {
    for (const value of [key, `/${key}`, `s3://any-bucket/${key}`]) {
      expect(configError({ FDI_POLICY_OBJECT: value }).message).toBe(
        `FDI_POLICY_OBJECT "${key}" lies under ${name} "${prefix}", where others than the operator write: keep it under a prefix only the operator can write, such as operator/`,
      );
    }
  });

  it('the configured prefixes count, not the default ones', () => {
    const env = { MANIFEST_PREFIX: 'uploads', REPORT_PREFIX: '/out/', STATE_PREFIX: 'run-state/' };
    expect(configError({ ...env, FDI_POLICY_OBJECT: 'uploads/policy.yaml' }).message).toContain(
      'lies under MANIFEST_PREFIX "uploads/"',
    );
    expect(configError({ ...env, FDI_POLICY_OBJECT: 'out/policy.yaml' }).message).toContain(
      'lies under REPORT_PREFIX "out/"',
    );
    expect(configError({ ...env, FDI_POLICY_OBJECT: 'run-state/p.yaml' }).message).toContain(
      'lies under STATE_PREFIX "run-state/"',
    );
    // The default prefixes are not in use now: these keys are the operator's.
    expect(loadConfig({ ...env, FDI_POLICY_OBJECT: 'manifests/policy.yaml' }).policy).toEqual({
      kind: 'object',
      key: 'manifests/policy.yaml',
    });
  });

  it('a key that only starts like a prefix is not under it', () => {
    expect(loadConfig({ FDI_POLICY_OBJECT: 'manifests-operator/p.yaml' }).policy).toEqual({
      kind: 'object',
      key: 'manifests-operator/p.yaml',
    });
    expect(loadConfig({ FDI_POLICY_OBJECT: 'operator/manifests/p.yaml' }).policy).toEqual({
      kind: 'object',
      key: 'operator/manifests/p.yaml',
    });
  });
});

describe('policyLoader', () => {
  let dir: string;
  /** Buckets are folders of `dir`. */
  const open = (bucket: string): ObjectStore => localStore(path.join(dir, bucket));
  const put = async (bucket: string, key: string, body: string | Buffer) => {
    const file = path.join(dir, bucket, key);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, body);
  };
  /** The PolicyError `load` fails with (awaited, as run-manifest.ts does: a synchronous throw counts too). */
  const rejection = async (load: (() => Promise<unknown>) | undefined): Promise<PolicyError> => {
    expect(load).toBeTypeOf('function');
    const err = await (async () => load!())().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PolicyError);
    return err as PolicyError;
  };

  beforeEach(async () => {
    dir = await tempDir('fdi-policy-');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('no source, or a local manifest (no bucket): no loader', () => {
    expect(policyLoader(undefined, 'bkt', open)).toBeUndefined();
    expect(policyLoader(undefined, undefined, open)).toBeUndefined();
    expect(policyLoader({ kind: 'inline', text: POLICY_TEXT }, undefined, open)).toBeUndefined();
    expect(policyLoader({ kind: 'object', key: 'operator/p.yaml' }, undefined, open)).toBeUndefined();
  });

  it('inline: parses FDI_POLICY, with that origin, without opening a store', async () => {
    const opened: string[] = [];
    const load = policyLoader({ kind: 'inline', text: POLICY_TEXT }, 'bkt', (b) => {
      opened.push(b);
      return open(b);
    });
    const policy = await load!();
    expect(policy).toEqual({
      origin: 'FDI_POLICY',
      rules: [
        {
          prefix: 'manifests/team-a/',
          projects: ['proj-a'],
          instances: ['inst-a-*'],
          update: false,
          destroy: false,
          index: 0,
          line: 3,
        },
      ],
    });
    expect(opened).toEqual([]);
  });

  it('inline and invalid: the loader rejects with a PolicyError (creating it does not throw)', async () => {
    const load = policyLoader({ kind: 'inline', text: 'version: 2\nrules: []\n' }, 'bkt', open);
    const e = await rejection(load);
    expect(e.message).toMatch(/^the policy FDI_POLICY is not valid \(line 1\): version: /);
  });

  it("an object key: read from the manifest's bucket, origin s3://bucket/key", async () => {
    await put('manifests-bkt', 'operator/fdi-policy.yaml', POLICY_TEXT);
    const load = policyLoader({ kind: 'object', key: 'operator/fdi-policy.yaml' }, 'manifests-bkt', open);
    const policy = await load!();
    expect(policy?.origin).toBe('s3://manifests-bkt/operator/fdi-policy.yaml');
    expect(policy?.rules.map((r) => r.prefix)).toEqual(['manifests/team-a/']);
  });

  it("s3://bucket/key: read from that bucket, not the manifest's", async () => {
    await put(
      'ops',
      'operator/p.json',
      JSON.stringify({ version: 1, rules: [{ prefix: '', projects: ['*'], instances: ['*'] }] }),
    );
    await put('manifests-bkt', 'operator/p.json', POLICY_TEXT);
    const opened: string[] = [];
    const load = policyLoader({ kind: 'object', key: 'operator/p.json', bucket: 'ops' }, 'manifests-bkt', (b) => {
      opened.push(b);
      return Promise.resolve(open(b));
    });
    const policy = await load!();
    expect(policy?.origin).toBe('s3://ops/operator/p.json');
    expect(policy?.rules.map((r) => r.prefix)).toEqual(['']);
    expect(opened).toEqual(['ops']);
  });

  it('reads the object afresh on every call (a change takes effect at the next run)', async () => {
    await put('bkt', 'operator/p.yaml', POLICY_TEXT);
    const load = policyLoader({ kind: 'object', key: 'operator/p.yaml' }, 'bkt', open)!;
    expect((await load())?.rules[0].prefix).toBe('manifests/team-a/');
    await put('bkt', 'operator/p.yaml', POLICY_TEXT.replace('team-a', 'team-z'));
    expect((await load())?.rules[0].prefix).toBe('manifests/team-z/');
    await rm(path.join(dir, 'bkt', 'operator/p.yaml'));
    expect((await rejection(load)).message).toContain('does not exist');
  });

  it('a missing object: PolicyError "does not exist"', async () => {
    const e = await rejection(policyLoader({ kind: 'object', key: 'operator/p.yaml' }, 'bkt', open));
    expect(e.message).toBe('the policy s3://bkt/operator/p.yaml (FDI_POLICY_OBJECT) does not exist');
  });

  it('an object over 64 KiB: PolicyError, and exactly 64 KiB is read', async () => {
    const over = `${POLICY_TEXT}#${'x'.repeat(MAX_POLICY_BYTES - Buffer.byteLength(POLICY_TEXT))}`;
    expect(Buffer.byteLength(over)).toBe(MAX_POLICY_BYTES + 1);
    await put('bkt', 'operator/big.yaml', over);
    const e = await rejection(policyLoader({ kind: 'object', key: 'operator/big.yaml' }, 'bkt', open));
    expect(e.message).toBe('the policy s3://bkt/operator/big.yaml is larger than 64 KiB');

    await put('bkt', 'operator/fits.yaml', over.slice(0, -1));
    const policy = await policyLoader({ kind: 'object', key: 'operator/fits.yaml' }, 'bkt', open)!();
    expect(policy?.rules).toHaveLength(1);
  });

  it('asks the store for at most MAX_POLICY_BYTES', async () => {
    const asked: Array<number | undefined> = [];
    const store: ObjectStore = {
      ...open('bkt'),
      get: (_key, maxBytes) => {
        asked.push(maxBytes);
        return Promise.resolve({ body: Buffer.from(POLICY_TEXT) });
      },
    };
    await policyLoader({ kind: 'object', key: 'operator/p.yaml' }, 'bkt', () => store)!();
    expect(asked).toEqual([MAX_POLICY_BYTES]);
  });

  it('a store whose get throws: PolicyError "could not be read", with the cause', async () => {
    const failing: ObjectStore = {
      ...open('bkt'),
      get: () => Promise.reject(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' })),
    };
    const e = await rejection(policyLoader({ kind: 'object', key: 'operator/p.yaml' }, 'bkt', () => failing));
    expect(e.message).toBe('the policy s3://bkt/operator/p.yaml could not be read: AccessDenied: Access Denied');
  });

  it('a store that cannot be opened: PolicyError "could not be read"', async () => {
    const e = await rejection(
      policyLoader({ kind: 'object', key: 'operator/p.yaml', bucket: 'gone' }, 'bkt', () =>
        Promise.reject(new Error('no such bucket')),
      ),
    );
    expect(e.message).toBe('the policy s3://gone/operator/p.yaml could not be read: Error: no such bucket');
  });

  it('an object that is not a valid policy: PolicyError with origin s3://bucket/key and the line', async () => {
    await put('bkt', 'operator/p.yaml', `${POLICY_TEXT}    max_rate: fast\n`);
    const e = await rejection(policyLoader({ kind: 'object', key: 'operator/p.yaml' }, 'bkt', open));
    expect(e.message).toMatch(
      /^the policy s3:\/\/bkt\/operator\/p\.yaml is not valid \(line 6\): rules\[0\]\.max_rate: /,
    );
    await put('bkt', 'operator/p.yaml', '');
    expect((await rejection(policyLoader({ kind: 'object', key: 'operator/p.yaml' }, 'bkt', open))).message).toBe(
      'the policy s3://bkt/operator/p.yaml is empty',
    );
  });
});
