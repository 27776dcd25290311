/**
 * Rendering with json-e, bounded. Templates that use operators (`$map`, `$reduce`, `$let`, `$json`, …)
 * can multiply their input, so they run under a wall-clock budget (Node's `vm` timeout interrupts any
 * JavaScript running on the thread, json-e included). Templates without operators only substitute
 * `${…}` expressions, whose output is linear in their input once `range`/`join`/`split` are bounded.
 */
import vm from 'node:vm';
import jsone from 'json-e';
import jsoneErrors from 'json-e/src/error.js';
import { boundedBuiltins } from './builtins.js';
import { type RenderFailure, translateRenderError } from './errors.js';
import { interpolateSimple } from './interpolate.js';
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
  /** Made on the first guarded render (a vm context costs milliseconds; most manifests never need one). */
  private sandboxContext?: vm.Context;
  private readonly call = new vm.Script('run()');

  constructor(private readonly limits: RenderLimits) {
    this.builtins = boundedBuiltins(limits);
  }

  /** Renders `template` with `vars`; `guarded` (the template uses operators) adds the time budget. */
  render(template: unknown, vars: Record<string, unknown>, guarded: boolean): RenderResult {
    return this.run(() => this.jsone(template, vars, guarded));
  }

  /**
   * Renders a prepared template: plain `${variable}` strings are substituted directly, the other
   * dynamic pieces go through json-e in one call. When a plain string cannot be substituted (a missing
   * variable, a list), every piece goes to json-e, so errors are json-e's own.
   */
  renderPrepared(prepared: PreparedTemplate, vars: Record<string, unknown>, guarded: boolean): RenderResult {
    const rendered: unknown[] = new Array(prepared.pieces.length);
    let substituted = true;
    for (let i = 0; i < rendered.length && substituted; i++) {
      const parts = prepared.simple[i];
      if (parts) substituted = (rendered[i] = interpolateSimple(parts, vars)) !== undefined;
    }
    const { batch, indices } = substituted
      ? { batch: prepared.complexBatch, indices: prepared.complexIndex }
      : { batch: prepared.batch, indices: undefined };
    const result = this.run(
      () => {
        if (batch.length) {
          const out = this.jsone(batch, vars, guarded) as Array<{ v?: unknown }>;
          out.forEach((r, k) => {
            rendered[indices ? indices[k] : k] = Object.prototype.hasOwnProperty.call(r, 'v') ? r.v : DELETED;
          });
        }
        return assemble(prepared, rendered);
      },
      () =>
        rendered.reduce<number>(
          (n, piece) => n + (piece === DELETED ? 0 : jsonLengthWithin(piece, this.limits.maxValueLength)),
          prepared.staticLength,
        ),
    );
    if (!result.ok && result.failure.path.length && typeof result.failure.path[0] === 'number') {
      // json-e located the error in the batch, `[k].v…`: point into the template instead.
      const [k, , ...rest] = result.failure.path;
      const index = indices ? indices[k as number] : (k as number);
      result.failure.path = [...(prepared.pieces[index]?.path ?? []), ...rest];
    }
    return result;
  }

  private jsone(template: unknown, vars: Record<string, unknown>, guarded: boolean): unknown {
    // json-e wants a context that is `instanceof Object`; keys are defined so any name stays data.
    const context: Record<string, unknown> = {};
    for (const source of [this.builtins, vars])
      for (const key of Object.keys(source)) defineOwn(context, key, source[key]);
    try {
      if (!guarded) return jsone(template as Record<string, unknown>, context);
      let value: unknown;
      const sandbox = (this.sandboxContext ??= vm.createContext({ run: undefined }));
      sandbox.run = () => {
        value = jsone(template as Record<string, unknown>, context);
      };
      try {
        this.call.runInContext(sandbox, { timeout: this.limits.maxRenderMs });
      } finally {
        sandbox.run = undefined;
      }
      return value;
    } catch (err) {
      // json-e's parser reads past the end of an expression that stops early ("${", "${a +"): a TypeError.
      if (err instanceof TypeError)
        throw new jsoneErrors.SyntaxError('unexpected end of an expression (is a "${…}" or $eval cut short?)');
      throw err;
    }
  }

  /** Runs a render and checks the size of its output (`measure` gives it; by default the whole value is walked). */
  private run(render: () => unknown, measure?: () => number): RenderResult {
    try {
      const value = render();
      const length = measure ? measure() : jsonLengthWithin(value, this.limits.maxValueLength);
      if (length > this.limits.maxValueLength) {
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
