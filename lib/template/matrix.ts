/**
 * Matrix expansion as in CI matrices: the cartesian product of the dimensions (declared order, the
 * last dimension varying fastest), then each `include` entry as one extra combination.
 */
import { defineOwn, type JsonObject } from './merge.js';

export interface MatrixSpec {
  dimensions: Array<[name: string, values: readonly unknown[]]>;
  include: readonly JsonObject[];
}

/** Splits a manifest `matrix:` value into dimensions and includes. */
export function toMatrixSpec(matrix: JsonObject): MatrixSpec {
  const dimensions: MatrixSpec['dimensions'] = [];
  for (const key of Object.keys(matrix)) {
    if (key !== 'include') dimensions.push([key, matrix[key] as unknown[]]);
  }
  return { dimensions, include: (matrix.include as JsonObject[] | undefined) ?? [] };
}

/** Number of combinations: product of dimension sizes (0 without dimensions) + includes. No expansion. */
export function matrixCount(spec: MatrixSpec): number {
  const product = spec.dimensions.length ? spec.dimensions.reduce((n, [, values]) => n * values.length, 1) : 0;
  return product + spec.include.length;
}

/** The combinations one by one, each a fresh object of variable values. */
export function* combinations(spec: MatrixSpec): Generator<JsonObject> {
  const dims = spec.dimensions;
  if (dims.length && dims.every(([, values]) => values.length > 0)) {
    const at = dims.map(() => 0);
    for (;;) {
      const combo: JsonObject = {};
      dims.forEach(([name, values], d) => defineOwn(combo, name, values[at[d]]));
      yield combo;
      let d = dims.length - 1;
      while (d >= 0 && ++at[d] === dims[d][1].length) at[d--] = 0;
      if (d < 0) break;
    }
  }
  for (const extra of spec.include) {
    const combo: JsonObject = {};
    for (const key of Object.keys(extra)) defineOwn(combo, key, extra[key]);
    yield combo;
  }
}
