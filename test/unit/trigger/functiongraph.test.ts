import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../lib/config.js';
import {
  agencyCredentials,
  fdiAuth,
  functionGraphEnv,
  storageCredentials,
  storageEnv,
  type FunctionGraphContext,
} from '../../../lib/trigger/functiongraph.js';

const AGENCY: FunctionGraphContext = {
  getRemainingTimeInMilliSeconds: () => 1000,
  getSecurityAccessKey: () => 'TMPAK',
  getSecuritySecretKey: () => 'tmp-sk',
  getSecurityToken: () => 'tmp-token',
  getToken: () => 'iam-token',
};

describe('functionGraphEnv', () => {
  it('takes getUserData(name) first, then process.env; empty user data does not hide the environment', () => {
    const data: Record<string, string> = { FDI_ENDPOINT: 'https://from-user-data', FDI_PROJECT_ID: '' };
    const env = functionGraphEnv(
      { ...AGENCY, getUserData: (k) => data[k] },
      { FDI_ENDPOINT: 'https://from-env', FDI_PROJECT_ID: 'p-env', FDI_RATE: '5', UNRELATED: 'x' },
    );
    expect(env.FDI_ENDPOINT).toBe('https://from-user-data');
    expect(env.FDI_PROJECT_ID).toBe('p-env');
    expect(env.FDI_RATE).toBe('5');
    expect(env.UNRELATED).toBeUndefined();
  });

  it('works without getUserData and with one that throws', () => {
    expect(functionGraphEnv(AGENCY, { LOG_LEVEL: 'debug' }).LOG_LEVEL).toBe('debug');
    const throwing = {
      ...AGENCY,
      getUserData: () => {
        throw new Error('no');
      },
    };
    expect(functionGraphEnv(throwing, { LOG_LEVEL: 'debug' }).LOG_LEVEL).toBe('debug');
  });
});

describe('fdiAuth', () => {
  const agency = agencyCredentials(AGENCY);
  it('uses the agency AK/SK with its security token when nothing is configured', () => {
    const auth = fdiAuth(loadConfig({}).auth, agency);
    expect(auth.kind).toBe('aksk');
    if (auth.kind !== 'aksk') return;
    expect(auth.accessKey).toBe('TMPAK');
    expect(auth.secretKey.reveal()).toBe('tmp-sk');
    expect(auth.securityToken?.reveal()).toBe('tmp-token');
    expect(JSON.stringify(auth)).not.toContain('tmp-sk');
    expect(JSON.stringify(auth)).not.toContain('tmp-token');
  });

  it('falls back to the agency IAM token without AK/SK', () => {
    const auth = fdiAuth(
      loadConfig({}).auth,
      agencyCredentials({ getRemainingTimeInMilliSeconds: () => 1, getToken: () => 'iam' }),
    );
    expect(auth.kind).toBe('token');
  });

  it('configured credentials win over the agency', () => {
    expect(fdiAuth(loadConfig({ FDI_AUTH_TOKEN: 't' }).auth, agency).kind).toBe('token');
    const aksk = fdiAuth(loadConfig({ FDI_ACCESS_KEY: 'AK', FDI_SECRET_KEY: 'SK' }).auth, agency);
    expect(aksk).toMatchObject({ kind: 'aksk', accessKey: 'AK', securityToken: undefined });
  });

  it('stays "none" when there is no agency (the run then fails with the usual message)', () => {
    expect(fdiAuth(loadConfig({}).auth, agencyCredentials({ getRemainingTimeInMilliSeconds: () => 1 })).kind).toBe(
      'none',
    );
  });
});

describe('storageEnv', () => {
  it("derives OBS's endpoint from the event's region, virtual-hosted style", () => {
    const env = storageEnv({}, 'cn-north-4');
    expect(env).toMatchObject({
      S3_ENDPOINT: 'https://obs.cn-north-4.myhuaweicloud.com',
      S3_FORCE_PATH_STYLE: 'false',
      AWS_REGION: 'cn-north-4',
    });
    expect(loadConfig(env).s3).toEqual({
      endpoint: 'https://obs.cn-north-4.myhuaweicloud.com',
      forcePathStyle: false,
      region: 'cn-north-4',
    });
  });

  it('OBS_ENDPOINT, then S3_ENDPOINT, then OBS_REGION win over the event', () => {
    expect(storageEnv({ OBS_ENDPOINT: 'https://obs.x', S3_ENDPOINT: 'https://s3.y' }, 'r').S3_ENDPOINT).toBe(
      'https://obs.x',
    );
    expect(storageEnv({ S3_ENDPOINT: 'https://s3.y' }, 'r').S3_ENDPOINT).toBe('https://s3.y');
    expect(storageEnv({ OBS_REGION: 'ap-southeast-1' }, 'r').S3_ENDPOINT).toBe(
      'https://obs.ap-southeast-1.myhuaweicloud.com',
    );
    expect(storageEnv({ S3_FORCE_PATH_STYLE: 'true' }, 'r').S3_FORCE_PATH_STYLE).toBe('true');
    expect(storageEnv({}, undefined).S3_ENDPOINT).toBeUndefined();
  });
});

describe('storageCredentials', () => {
  it("uses the agency's temporary credentials with their session token", () => {
    expect(storageCredentials({}, agencyCredentials(AGENCY))).toEqual({
      accessKeyId: 'TMPAK',
      secretAccessKey: 'tmp-sk',
      sessionToken: 'tmp-token',
    });
  });
  it('configured AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY win; none at all leaves the SDK its chain', () => {
    expect(
      storageCredentials({ AWS_ACCESS_KEY_ID: 'A', AWS_SECRET_ACCESS_KEY: 'S' }, agencyCredentials(AGENCY)),
    ).toEqual({ accessKeyId: 'A', secretAccessKey: 'S' });
    expect(storageCredentials({}, agencyCredentials({ getRemainingTimeInMilliSeconds: () => 1 }))).toBeUndefined();
  });
});
