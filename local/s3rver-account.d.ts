/** s3rver's account registry (its type declarations leave it out): the key pairs its signature check accepts. */
declare module 's3rver/lib/models/account.js' {
  export const DUMMY_ACCOUNT: { createKeyPair(accessKeyId: string, secretAccessKey: string): void };
}
