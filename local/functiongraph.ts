/**
 * The local stack's FunctionGraph mode: the bucket's events in the OBS trigger's form (eventVersion
 * 3.0, the object under `obs`, keys URL-encoded as OBS sends them) and a context shaped like
 * FunctionGraph's, carrying temporary credentials (AK/SK and a security token) that the emulator and
 * s3rver accept. The handler is the one deployed (handlers/functiongraph.ts).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { S3Event } from 'aws-lambda';
import type { FunctionGraphContext } from '../handlers/functiongraph.js';

/** The region the local stack's OBS events name. */
export const LOCAL_OBS_REGION = 'local-1';

/** An agency's temporary credentials. */
export interface TemporaryCredentials {
  accessKey: string;
  secretKey: string;
  securityToken: string;
}

/** Fresh temporary credentials for one local stack (never printed: the stack shows only that they exist). */
export function newTemporaryCredentials(): TemporaryCredentials {
  return {
    accessKey: `LOCALTEMP${randomBytes(8).toString('hex').toUpperCase()}`,
    secretKey: randomBytes(24).toString('base64url'),
    securityToken: `gQpzLXRva2Vu${randomBytes(96).toString('base64url')}`,
  };
}

/** An S3-form event (keys already URL-encoded) as the OBS trigger sends it. */
export function asObsEvent(event: S3Event): { Records: Record<string, unknown>[] } {
  return {
    Records: event.Records.map((r) => ({
      eventVersion: '3.0',
      eventSource: 'OBS',
      eventRegion: LOCAL_OBS_REGION,
      eventTime: r.eventTime,
      eventName: r.eventName,
      // OBS names the uploader `ID` where S3 says `principalId`.
      userIdentity: { ID: r.userIdentity?.principalId ?? 'local' },
      requestParameters: { sourceIPAddress: r.requestParameters?.sourceIPAddress ?? '127.0.0.1' },
      responseElements: { 'x-obs-request-id': randomBytes(8).toString('hex'), 'x-obs-id-2': 'local' },
      obs: {
        Version: '1.0',
        configurationId: 'local-trigger',
        bucket: { name: r.s3.bucket.name, ownerIdentity: { ID: 'local' }, bucket: r.s3.bucket.name },
        object: {
          key: r.s3.object.key,
          eTag: r.s3.object.eTag,
          size: r.s3.object.size,
          versionId: r.s3.object.versionId ?? 'null',
          sequencer: r.s3.object.sequencer,
        },
      },
    })),
  };
}

/** A context shaped like FunctionGraph's Node.js context, with `budgetMs` left from now. */
export function functionGraphContext(
  credentials: TemporaryCredentials,
  remainingMs: () => number,
  userData: Record<string, string> = {},
): FunctionGraphContext & Record<string, unknown> {
  const requestId = randomUUID();
  return {
    getRequestID: () => requestId,
    getRemainingTimeInMilliSeconds: () => Math.max(0, remainingMs()),
    getSecurityAccessKey: () => credentials.accessKey,
    getSecuritySecretKey: () => credentials.secretKey,
    getSecurityToken: () => credentials.securityToken,
    getToken: () => '',
    getUserData: (key: string) => userData[key],
    getFunctionName: () => 'fdi-provisioner',
    getVersion: () => 'latest',
    getMemorySize: () => 512,
    getCPUNumber: () => 300,
    getRunningTimeInSeconds: () => 900,
    getPackage: () => 'default',
    getProjectID: () => 'local-project',
    getLogger: () => ({ info: (...args: unknown[]) => console.log(...args) }),
  };
}
