/** Command-line options of the benches: `--quick` plus a few numbers, with `--help`. */
import { parseArgs } from 'node:util';

export interface OptionSpec {
  /** Value in a full run. */
  full: number | string;
  /** Value with --quick (default: the full value). */
  quick?: number | string;
  help: string;
}

/** Parses `--quick`, `--help` and `--NAME VALUE` for each spec; numbers stay numbers. */
export function benchArgs<T extends Record<string, OptionSpec>>(
  usage: string,
  specs: T,
): { quick: boolean } & { [K in keyof T]: T[K]['full'] } {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
      ...Object.fromEntries(Object.keys(specs).map((k) => [k, { type: 'string' as const }])),
    },
    strict: true,
  });
  if (values.help) {
    const lines = Object.entries(specs).map(
      ([k, s]) =>
        `  --${k.padEnd(14)} ${s.help} (default ${s.full}${s.quick !== undefined ? `; --quick: ${s.quick}` : ''})`,
    );
    process.stdout.write(`${usage}\n\n  --quick          small sizes: a try-out in seconds\n${lines.join('\n')}\n`);
    process.exit(0);
  }
  const quick = Boolean(values.quick);
  const out: Record<string, unknown> = { quick };
  for (const [k, s] of Object.entries(specs)) {
    const raw = (values as Record<string, unknown>)[k] as string | undefined;
    const fallback = quick && s.quick !== undefined ? s.quick : s.full;
    if (raw === undefined) out[k] = fallback;
    else if (typeof s.full === 'number') {
      const n = Number(raw);
      if (!Number.isFinite(n)) throw new Error(`--${k} needs a number (got "${raw}")`);
      out[k] = n;
    } else out[k] = raw;
  }
  return out as { quick: boolean } & { [K in keyof T]: T[K]['full'] };
}
