/**
 * A schedule's cron checked by its real rules: Quartz cron syntax (cron-validate's checks with Quartz's
 * fields: seconds, optional years, "?" in exactly one day field, L, W, #, names of months and days,
 * ported in quartz-fields.ts). Pure.
 */
import { quartzFieldErrors } from './quartz-fields.js';

/** Quartz's fields, in order, with their ranges (as a person names them). */
const FIELDS: Record<string, { name: string; range: string }> = {
  seconds: { name: 'second', range: '0–59' },
  minutes: { name: 'minute', range: '0–59' },
  hours: { name: 'hour', range: '0–23' },
  daysOfMonth: { name: 'day-of-month', range: '1–31' },
  months: { name: 'month', range: '1–12 or JAN–DEC' },
  daysOfWeek: { name: 'day-of-week', range: '1–7 or SUN–SAT' },
  years: { name: 'year', range: '1970–2199' },
};

const DAY_RULE = 'Quartz needs "?" in exactly one of day-of-month and day-of-week (e.g. "0 30 2 * * ?")';

/** How many answers the check keeps; a manifest repeats the same few crons across its tasks. */
const REMEMBERED = 256;

/** A check that remembers its answers (every task of a manifest is checked, at compile time and as it renders). */
function remembered(check: (value: string) => string | undefined): (value: string) => string | undefined {
  const known = new Map<string, string | undefined>();
  return (value) => {
    if (known.has(value)) return known.get(value);
    const answer = check(value);
    if (known.size >= REMEMBERED) known.clear();
    known.set(value, answer);
    return answer;
  };
}

/** Why `cron` is not a Quartz cron expression, in one sentence; undefined when it is one. */
export const quartzCronProblem = remembered((cron) => {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 6 && fields.length !== 7) return `has ${fields.length} fields; a Quartz cron has 6 or 7`;
  // Quartz is AWS's flavour plus a seconds field, so that preset with seconds (and years when given).
  const found = quartzFieldErrors(fields.join(' '), fields.length === 7);
  if (found.length === 0) return undefined;
  const errors = [...new Set(found.map(describeError))];
  return errors.join('; ');
});

function describeError(raw: string): string {
  const text = raw.replace(/\s*\(Input cron: .*\)\s*$/, '');
  const range = /^Number '([^']*)' of (\w+) field is (?:bigger|smaller) than (?:upper|lower) limit/.exec(text);
  if (range && FIELDS[range[2]]) {
    const f = FIELDS[range[2]];
    return `${f.name} ${range[1]} is out of range (${f.range})`;
  }
  if (/daysOfMonth and daysOfWeek/.test(text)) return DAY_RULE;
  return text.replace(/\b(seconds|minutes|hours|daysOfMonth|months|daysOfWeek|years)\b/g, (k) => FIELDS[k]?.name ?? k);
}
