/**
 * Reading the operator's policy (docs/SECURITY.md, "The policy") where the configuration says it is:
 * the text of FDI_POLICY, or an object read afresh at the start of every run. Whatever goes wrong
 * (missing object, unreachable store, too large, not a policy) is a `PolicyError`: the run fails closed.
 */
import type { PolicySource } from '../config.js';
import { MAX_POLICY_BYTES, parsePolicy, PolicyError, type Policy } from '../policy/policy.js';
import { ObjectTooLargeError, type ObjectStore } from './object-store.js';

/**
 * The policy loader of a manifest in `bucket` (undefined for a local file, which no policy governs).
 * `open` gives the store of a bucket (the policy object may be in another bucket than the manifest).
 */
export function policyLoader(
  source: PolicySource | undefined,
  bucket: string | undefined,
  open: (bucket: string) => ObjectStore | Promise<ObjectStore>,
): (() => Promise<Policy | undefined>) | undefined {
  if (!source || bucket === undefined) return undefined;
  if (source.kind === 'inline') return async () => parsePolicy(source.text, 'FDI_POLICY');
  const where = source.bucket ?? bucket;
  const uri = `s3://${where}/${source.key}`;
  return async () => {
    let obj;
    try {
      obj = await (await open(where)).get(source.key, MAX_POLICY_BYTES);
    } catch (err) {
      if (err instanceof ObjectTooLargeError)
        throw new PolicyError(`the policy ${uri} is larger than ${MAX_POLICY_BYTES / 1024} KiB`);
      throw new PolicyError(`the policy ${uri} could not be read: ${(err as Error).name}: ${(err as Error).message}`);
    }
    if (!obj) throw new PolicyError(`the policy ${uri} (FDI_POLICY_OBJECT) does not exist`);
    return parsePolicy(Buffer.from(obj.body).toString('utf8'), uri);
  };
}
