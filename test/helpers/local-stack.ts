/** A file's local stack as a vitest fixture (kept apart from stack.ts, which benches import). */
import { afterAll, beforeAll } from 'vitest';
import { silentLogger } from '../../lib/logger.js';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../local/stack.js';
import { tempDir } from './cli.js';

/**
 * A local stack for the whole file (started in beforeAll in a fresh folder `prefix…`, closed in
 * afterAll), silent; read `stack` inside a test or a hook.
 */
export function useLocalStack(
  prefix: string,
  options: Omit<LocalStackOptions, 'dataDir' | 'logger'> = {},
): { readonly stack: LocalStack } {
  let stack: LocalStack | undefined;
  beforeAll(async () => {
    stack = await startLocalStack({ ...options, dataDir: await tempDir(prefix), logger: silentLogger() });
  });
  afterAll(() => stack?.close());
  return {
    get stack() {
      if (!stack) throw new Error('useLocalStack: the stack is only there once beforeAll has run');
      return stack;
    },
  };
}
