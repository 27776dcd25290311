/**
 * The FunctionGraph handler (index.handler on Huawei Cloud FunctionGraph, Node.js 20): an OBS trigger
 * event, its older S3-shaped form, or an EventGrid CloudEvent → one run per manifest record, with the
 * same lib/trigger code as the Lambda handler. Thin: the platform's part is lib/trigger/functiongraph.ts.
 *
 * Credentials come from the function's agency through the context on every invocation (they rotate),
 * unless FDI_* credentials are configured (docs/FUNCTIONGRAPH.md). An event the function cannot read
 * is an 'ignored' outcome with its reason, never a throw; it throws (so a configured async retry runs
 * the event again) only when a record failed for an infrastructure reason.
 */
import { createLogger } from '../lib/logger.js';
import type { RecordOutcome } from '../lib/trigger/handle-event.js';
import {
  functionGraphEnv,
  functionGraphInvoker,
  type FunctionGraphContext,
  type FunctionGraphInvoker,
  type FunctionGraphOptions,
} from '../lib/trigger/functiongraph.js';
import { tuneHeapForBatch } from '../lib/tune-heap.js';

tuneHeapForBatch();

export type { FunctionGraphContext } from '../lib/trigger/functiongraph.js';
export type FunctionGraphHandler = (event: unknown, context: FunctionGraphContext) => Promise<RecordOutcome[]>;

/** Builds a handler whose options are made on first use (from its context) and then kept (one cold start). */
export function createFunctionGraphHandler(
  makeOptions: (context: FunctionGraphContext) => FunctionGraphOptions,
): FunctionGraphHandler {
  let invoke: FunctionGraphInvoker | undefined;
  return async (event, context) => {
    invoke ??= functionGraphInvoker(makeOptions(context));
    const outcomes = await invoke(event, context);
    const failed = outcomes.filter((o) => o.kind === 'error');
    if (failed.length) throw new Error(`${failed.length} record(s) failed: ${failed.map((f) => f.key).join(', ')}`);
    return outcomes;
  };
}

/** The deployed entry point: FunctionGraph's handler setting `functiongraph.handler` (the bundled file's name). */
export const handler: FunctionGraphHandler = createFunctionGraphHandler((context) => ({
  logger: createLogger({ level: functionGraphEnv(context, process.env).LOG_LEVEL ?? 'info' }),
  processEnv: process.env,
}));
