/**
 * The environment the upload handler is configured with on the local stack: the stack's own
 * endpoints and local credentials (no secret beyond the emulator's local token), under the caller's
 * additions.
 */

/** The stack's settings, then `extra` on top (entries whose value is undefined are left out). */
export function handlerEnv(
  fdiEndpoint: string,
  s3Endpoint: string,
  extra: Record<string, string | undefined> = {},
): Record<string, string> {
  const given = Object.entries(extra).filter((entry): entry is [string, string] => entry[1] !== undefined);
  return {
    FDI_ENDPOINT: fdiEndpoint,
    FDI_AUTH_TOKEN: 'local-token',
    FDI_PROJECT_ID: 'local-project',
    FDI_INSTANCE_ID: 'local-instance',
    S3_ENDPOINT: s3Endpoint,
    S3_FORCE_PATH_STYLE: 'true',
    AWS_REGION: 'us-east-1',
    ...Object.fromEntries(given),
  };
}
