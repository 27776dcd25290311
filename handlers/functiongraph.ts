/**
 * The FunctionGraph handler (index.handler on Huawei Cloud FunctionGraph, Node.js 20): an OBS trigger
 * event, its older S3-shaped form, or an EventGrid CloudEvent → one run per manifest record, with the
 * same lib/trigger code as the Lambda handler. Thin: the platform's part is lib/trigger/functiongraph.ts.
 *
 * Credentials come from the function's agency through the context on every invocation (they rotate),
 * unless FDI_* credentials are configured (docs/FUNCTIONGRAPH.md). An event the function cannot read
 * is an 'ignored' outcome with its reason, never a throw; it throws (so a configured async retry runs
 * the event again) only when a record failed for an infrastructure reason.
 *
 * Loading this module loads none of lib/trigger, the AWS SDK, pino or got (issue 16, "Start fast"):
 * they are imported on the first invocation and kept for the warm ones. In the esbuild bundle they are
 * the same file, evaluated only then.
 */
import type * as FunctionGraphModule from '../lib/trigger/functiongraph.js';
import type { RecordOutcome } from '../lib/trigger/handle-event.js';
import type { FunctionGraphContext, FunctionGraphOptions } from '../lib/trigger/functiongraph.js';
import { tuneHeapForBatch } from '../lib/tune-heap.js';
import { kept, unlessFailed } from './kept.js';

tuneHeapForBatch();

export type { FunctionGraphContext } from '../lib/trigger/functiongraph.js';
export type FunctionGraphHandler = (event: unknown, context: FunctionGraphContext) => Promise<RecordOutcome[]>;

/** lib/trigger/functiongraph.js (and all it imports), imported once, on the first invocation. */
const loadPlatform = kept((): Promise<typeof FunctionGraphModule> => import('../lib/trigger/functiongraph.js'));

/**
 * Builds a handler whose options are made on first use (from its context) and then kept (one cold
 * start). When making them fails, the invocation fails and the next one tries again.
 */
export function createFunctionGraphHandler(
  makeOptions: (context: FunctionGraphContext) => FunctionGraphOptions | Promise<FunctionGraphOptions>,
): FunctionGraphHandler {
  const invoker = kept(async (context: FunctionGraphContext) => {
    const [{ functionGraphInvoker }, options] = await Promise.all([loadPlatform(), makeOptions(context)]);
    return functionGraphInvoker(options);
  });
  return async (event, context) => unlessFailed(await (await invoker(context))(event, context));
}

/** The deployed entry point: FunctionGraph's handler setting `functiongraph.handler` (the bundled file's name). */
export const handler: FunctionGraphHandler = createFunctionGraphHandler(async (context) => {
  const [{ functionGraphEnv }, { createLogger }] = await Promise.all([loadPlatform(), import('../lib/logger.js')]);
  return {
    logger: createLogger({ level: functionGraphEnv(context, process.env).LOG_LEVEL ?? 'info' }),
    processEnv: process.env,
  };
});
