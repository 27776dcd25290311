/**
 * `npm run bench:soak` — the three soaks in turn (fault matrix, crash and resume, deliveries), each with
 * its defaults (or its --quick sizes), sharing --hours equally. Each soak also runs alone with all its
 * options: `npx tsx bench/soak-faults.ts --help` (and soak-crash.ts, soak-deliveries.ts).
 * Exits 1 when any soak saw an invariant violated. See docs/RELIABILITY.md.
 */
import { benchArgs } from './common/args.js';
import { CRASH_SOAK_ARGS, soakCrash } from './soak-crash.js';
import { DELIVERY_SOAK_ARGS, soakDeliveries } from './soak-deliveries.js';
import { FAULT_SOAK_ARGS, soakFaults } from './soak-faults.js';

const SOAKS = ['faults', 'crash', 'deliveries'] as const;

const args = benchArgs('npm run bench:soak [-- --quick] [-- --hours 3] [-- --only crash]', {
  hours: {
    full: 0,
    help: 'total duration, shared equally by the soaks run (0: one pass of each with its default rounds)',
  },
  only: { full: SOAKS.join(','), help: 'which soaks to run' },
});

/** The defaults of a soak's options (its --quick sizes with --quick). */
function defaults<T extends Record<string, { full: number | string; quick?: number | string }>>(
  specs: T,
  quick: boolean,
): { [K in keyof T]: T[K]['full'] } {
  return Object.fromEntries(
    Object.entries(specs).map(([k, s]) => [k, quick && s.quick !== undefined ? s.quick : s.full]),
  ) as { [K in keyof T]: T[K]['full'] };
}

const only = String(args.only)
  .split(',')
  .map((s) => s.trim());
const unknown = only.filter((s) => !(SOAKS as readonly string[]).includes(s));
if (unknown.length) throw new Error(`unknown soak(s): ${unknown.join(', ')} (known: ${SOAKS.join(', ')})`);
const share = Number(args.hours) / only.length;
let ok = true;
if (only.includes('faults')) ok = (await soakFaults({ ...defaults(FAULT_SOAK_ARGS, args.quick), hours: share })) && ok;
if (only.includes('crash')) ok = (await soakCrash({ ...defaults(CRASH_SOAK_ARGS, args.quick), hours: share })) && ok;
if (only.includes('deliveries'))
  ok = (await soakDeliveries({ ...defaults(DELIVERY_SOAK_ARGS, args.quick), hours: share })) && ok;
process.stdout.write(`\nsoak: ${ok ? 'every invariant held' : 'INVARIANTS VIOLATED (see FAIL rows above)'}\n`);
process.exitCode = ok ? 0 : 1;
