/**
 * Rendering with json-e, bounded. Templates that use operators (`$map`, `$reduce`, `$let`, `$json`, …)
 * can multiply their input, so they run under a wall-clock budget (Node's `vm` timeout interrupts any
 * JavaScript running on the thread, json-e included). Templates without operators only substitute
 * `${…}` expressions, whose output is linear in their input once `range`/`join`/`split` are bounded.
 */
import vm from 'node:vm';
import jsone from 'json-e';
import { boundedBuiltins } from './builtins.js';
import { type RenderFailure, translateRenderError } from './errors.js';
import { jsonLengthWithin } from './measure.js';
import { defineOwn } from './merge.js';

export interface RenderLimits {
  maxRangeLength: number;
  /** Largest string a bounded builtin may make, in characters. */
  maxStringLength: number;
  /** Largest rendered value (approximate serialised characters). */
  maxValueLength: number;
  maxRenderMs: number;
}

export type RenderResult = { ok: true; value: unknown } | { ok: false; failure: RenderFailure };

/** Renders templates with a context of variables; one per compilation (it holds a vm context). */
export class Renderer {
  private readonly builtins: Record<string, unknown>;
  private readonly sandbox: vm.Context;
  private readonly call = new vm.Script('run()');

  constructor(private readonly limits: RenderLimits) {
    this.builtins = boundedBuiltins(limits);
    this.sandbox = vm.createContext({ run: undefined });
  }

  /** Renders `template` with `vars`; `guarded` (the template uses operators) adds the time budget. */
  render(template: unknown, vars: Record<string, unknown>, guarded: boolean): RenderResult {
    // json-e wants a context that is `instanceof Object`; keys are defined so any name stays data.
    const context: Record<string, unknown> = {};
    for (const source of [this.builtins, vars]) for (const key of Object.keys(source)) defineOwn(context, key, source[key]);
    try {
      let value: unknown;
      if (guarded) {
        this.sandbox.run = () => {
          value = jsone(template as Record<string, unknown>, context);
        };
        try {
          this.call.runInContext(this.sandbox, { timeout: this.limits.maxRenderMs });
        } finally {
          this.sandbox.run = undefined;
        }
      } else {
        value = jsone(template as Record<string, unknown>, context);
      }
      if (jsonLengthWithin(value, this.limits.maxValueLength) > this.limits.maxValueLength) {
        return {
          ok: false,
          failure: {
            kind: 'bound',
            message: `the rendered task is larger than ${this.limits.maxValueLength.toLocaleString('en-US')} characters`,
            hint: 'a $map or $reduce multiplies the output; render less, or raise maxDetailBytes',
            path: [],
          },
        };
      }
      return { ok: true, value };
    } catch (err) {
      return { ok: false, failure: translateRenderError(err, this.limits.maxRenderMs) };
    }
  }
}
