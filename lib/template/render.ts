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
import { DELETED, type PreparedTemplate, assemble } from './prepared.js';

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
    return this.run(() => this.jsone(template, vars, guarded));
  }

  /** Renders a prepared template: only its dynamic pieces go through json-e, in one call. */
  renderPrepared(prepared: PreparedTemplate, vars: Record<string, unknown>, guarded: boolean): RenderResult {
    const result = this.run(() => {
      if (prepared.pieces.length === 0) return assemble(prepared, []);
      const rendered = this.jsone(prepared.batch, vars, guarded) as Array<{ v?: unknown }>;
      return assemble(prepared, rendered.map((r) => (Object.prototype.hasOwnProperty.call(r, 'v') ? r.v : DELETED)));
    });
    if (!result.ok && result.failure.path.length && typeof result.failure.path[0] === 'number') {
      // json-e located the error in the batch, `[i].v…`: point into the template instead.
      const [index, , ...rest] = result.failure.path;
      result.failure.path = [...(prepared.pieces[index as number]?.path ?? []), ...rest];
    }
    return result;
  }

  private jsone(template: unknown, vars: Record<string, unknown>, guarded: boolean): unknown {
    // json-e wants a context that is `instanceof Object`; keys are defined so any name stays data.
    const context: Record<string, unknown> = {};
    for (const source of [this.builtins, vars]) for (const key of Object.keys(source)) defineOwn(context, key, source[key]);
    if (!guarded) return jsone(template as Record<string, unknown>, context);
    let value: unknown;
    this.sandbox.run = () => {
      value = jsone(template as Record<string, unknown>, context);
    };
    try {
      this.call.runInContext(this.sandbox, { timeout: this.limits.maxRenderMs });
    } finally {
      this.sandbox.run = undefined;
    }
    return value;
  }

  private run(render: () => unknown): RenderResult {
    try {
      const value = render();
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
