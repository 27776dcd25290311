/**
 * The local stack's defaults, in a module that imports nothing so that cli/program.ts can name them
 * without loading the stack (s3rver, the AWS SDK and the handler).
 */

/** The bucket the stack creates and watches unless told another (`local --bucket`). */
export const DEFAULT_BUCKET = 'fdi-provisioner';
