/**
 * json-e builtins that can make large values from small input, redefined with the same semantics and a
 * bound: `range` (a list of any length), `join` (a list times a separator), `split` (a string into a list).
 * Every other builtin makes output no larger than its input. They are passed in the render context,
 * which json-e lets override its own builtins.
 */
import jsoneErrors from 'json-e/src/error.js';
import { jsonLengthWithin } from './measure.js';

// json-e records where in the template its own errors happen; deriving from its base class gets ours located too.
const { JSONTemplateError, BuiltinError } = jsoneErrors;

/** Thrown when a template would make a value past a bound. */
export class RenderBoundError extends JSONTemplateError {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'RenderBoundError';
  }
}

/** json-e's own error for wrong arguments, in its words ("invalid arguments to builtin: range"). */
class BuiltinArgumentError extends BuiltinError {
  constructor(name: string) {
    super(`invalid arguments to builtin: ${name}`);
    this.name = 'BuiltinError';
  }
}

type Builtin = ((...args: unknown[]) => unknown) & { jsone_builtin: true };

function builtin(fn: (...args: unknown[]) => unknown): Builtin {
  // json-e passes the context first to functions marked as builtins.
  const f = ((_ctx: unknown, ...args: unknown[]) => fn(...args)) as Builtin;
  f.jsone_builtin = true;
  return f;
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

/** The bounded builtins for one renderer. */
export function boundedBuiltins(limits: { maxRangeLength: number; maxStringLength: number }): Record<string, Builtin> {
  const range = builtin((start, stop, step = 1, ...rest) => {
    if (!isInt(start) || !isInt(stop) || !isInt(step) || rest.length) throw new BuiltinArgumentError('range');
    const length = Math.max(0, Math.ceil((stop - start) / step));
    if (!(length <= limits.maxRangeLength)) {
      throw new RenderBoundError(
        `range(${start}, ${stop}${step === 1 ? '' : `, ${step}`}) would make ` +
          `${Number.isFinite(length) ? length.toLocaleString('en-US') : 'endless'} items; ` +
          `at most ${limits.maxRangeLength.toLocaleString('en-US')} are allowed`,
        'use a smaller range, or list the values in vars or matrix',
      );
    }
    return Array.from({ length }, (_, i) => start + i * step);
  });
  const join = builtin((list, separator, ...rest) => {
    if (!Array.isArray(list) || !(typeof separator === 'string' || typeof separator === 'number') || rest.length) {
      throw new BuiltinArgumentError('join');
    }
    const size = jsonLengthWithin(list, limits.maxStringLength) + String(separator).length * list.length;
    if (size > limits.maxStringLength) {
      throw new RenderBoundError(
        `join() would make a string longer than ${limits.maxStringLength.toLocaleString('en-US')} characters`,
        'join fewer or shorter items',
      );
    }
    return list.join(String(separator));
  });
  const split = builtin((input, delimiter, ...rest) => {
    if (typeof input !== 'string' || !(typeof delimiter === 'string' || typeof delimiter === 'number') || rest.length) {
      throw new BuiltinArgumentError('split');
    }
    if (input.length > limits.maxStringLength) {
      throw new RenderBoundError(
        `split() of a string longer than ${limits.maxStringLength.toLocaleString('en-US')} characters`,
        'split a shorter string',
      );
    }
    return input.split(String(delimiter));
  });
  return { range, join, split };
}
