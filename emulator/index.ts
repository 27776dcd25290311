/**
 * The FDI emulator's public surface: a real HTTP server speaking the FDI API (and IAM's token route)
 * for tests, benchmarks and the local stack.
 */
export { startEmulator, type Emulator } from './server.js';
export {
  type EmulatorOptions,
  type FaultKind,
  type RuntimePatch,
  type DetailForm,
  type NoDispatchForm,
  DETAIL_FORMS,
  NO_DISPATCH_FORMS,
  FAULT_KINDS,
  EmulatorConfigError,
  checkFaults,
} from './options.js';
export type { EmulatorStats } from './stats.js';
export type { TaskRecord } from './state.js';
export type { SeedTaskSpec } from './seed.js';
export type { LoggedRequest } from './request-log.js';
export { DEFAULT_DATASOURCES, parseDataSources } from './datasources.js';
export {
  type QuotaMessage,
  type QuotaModel,
  type QuotaPeriod,
  QUOTA_MESSAGES,
  QUOTA_MODELS,
  QUOTA_PERIODS,
} from './rate-quota.js';
export { mulberry32 } from './faults.js';
export {
  type ExecutionView,
  type ExecutionOutcome,
  type ExecutionSettings,
  executionOutcome,
  failureRemark,
} from './executions.js';
