/** The manifest language: parse, validate, expand, render (docs/MANIFEST.md). The public surface. */
export type {
  CompiledManifest,
  DatasourceRef,
  ExpandedTask,
  ManifestLimits,
  ManifestOptions,
  Problem,
  ProblemKind,
  RetryOf,
  TaskTarget,
} from './types.js';
export { compileManifest } from './compile.js';
export { DEFAULT_LIMITS } from './limits.js';
export { formatProblem } from './problem.js';
export { didYouMean } from './suggest.js';
export { toCreateRequest, unresolvedId } from './request.js';
export { compileSource, type ManifestSource } from './read.js';
export { manifestJsonSchema } from './schema.js';
