/** Templates: json-e rendering under bounds, matrix expansion, deep merge. Pure; no I/O. */
export { Renderer, type RenderLimits, type RenderResult } from './render.js';
export { RenderBoundError } from './builtins.js';
export { type RenderFailure, type PathSegment, parseLocation } from './errors.js';
export { type MatrixSpec, combinations, matrixCount, toMatrixSpec } from './matrix.js';
export {
  type JsonObject,
  deepMerge,
  defineOwn,
  hasOwnKey,
  isOperator,
  isPlainObject,
  shallowMerge,
  usesOperators,
} from './merge.js';
export { stringifyJson } from './json.js';
export { jsonLengthWithin } from './measure.js';
export { type PreparedTemplate, prepareTemplate } from './prepared.js';
