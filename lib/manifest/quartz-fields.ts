/**
 * The field checks of cron-validate 1.5.3 (MIT, © Airfordable; lib/index.js, lib/helper.js and
 * lib/fieldCheckers/*.js), ported for the one set of options quartz.ts uses: the "aws-cloud-watch"
 * preset with seconds, and years when the cron has 7 fields. Same checks, same order, same messages
 * (test/unit/manifest/quartz.test.ts compares both on thousands of crons).
 *
 * Why a port: cron-validate checks its presets with yup when it is imported, which with yup's own
 * start-up cost ~20 ms of every `validate` (docs/PERFORMANCE.md, "Start-up"), cron or not.
 */

/** A field of a Quartz cron, as cron-validate names it. */
export type CronField = 'seconds' | 'minutes' | 'hours' | 'daysOfMonth' | 'months' | 'daysOfWeek' | 'years';

/** The aws-cloud-watch preset's limits (its lowerLimit/upperLimit are its minValue/maxValue). */
const LIMITS: Record<CronField, { lower: number; upper: number }> = {
  seconds: { lower: 0, upper: 59 },
  minutes: { lower: 0, upper: 59 },
  hours: { lower: 0, upper: 23 },
  daysOfMonth: { lower: 1, upper: 31 },
  months: { lower: 1, upper: 12 },
  daysOfWeek: { lower: 1, upper: 7 },
  years: { lower: 1970, upper: 2199 },
};

const MONTH_ALIASES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY_OF_WEEK_ALIASES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** One check's answer: undefined when valid, else its error. */
type Check = string | undefined;

function withinLimits(element: string, field: CronField): Check {
  // Aliases are accepted as they are, not translated to numbers (useAliases).
  if (field === 'months' && MONTH_ALIASES.includes(element.toLowerCase())) return undefined;
  if (field === 'daysOfWeek' && DAY_OF_WEEK_ALIASES.includes(element.toLowerCase())) return undefined;
  const number = Number(element);
  if (Number.isNaN(number)) return `Element '${element}' of ${field} field is invalid.`;
  if (number % 1 !== 0) return `Element '${element}' of ${field} field is not an integer.`;
  const { lower, upper } = LIMITS[field];
  // cron-validate skips a limit of 0 (it tests the limit for truthiness).
  if (lower && number < lower) return `Number '${number}' of ${field} field is smaller than lower limit '${lower}'.`;
  if (upper && number > upper) return `Number '${number}' of ${field} field is bigger than upper limit '${upper}'.`;
  return undefined;
}

function singleElement(element: string, field: CronField): Check {
  // '*' is always within the preset's limits, which the options do not narrow.
  if (element === '*') return undefined;
  if (element === '') return `One of the elements is empty in ${field} field.`;
  if (field === 'daysOfMonth' && element === 'L') return undefined;
  if (field === 'daysOfWeek' && element.endsWith('L')) {
    const day = element.slice(0, -1);
    return day === '' ? undefined : withinLimits(day, field);
  }
  if (field === 'daysOfMonth' && element.endsWith('W')) {
    const day = element.slice(0, -1);
    if (day === '') return `The 'W' must be preceded by a day.`;
    if (day === 'L') return undefined;
    return withinLimits(day, field);
  }
  if (field === 'daysOfWeek' && element.includes('#')) {
    const [day = '', occurrence, ...leftOvers] = element.split('#');
    if (leftOvers.length !== 0) return `Unexpected number of '#' in ${element}, can only be used once.`;
    const occurrenceNum = Number(occurrence);
    if (!occurrence || Number.isNaN(occurrenceNum))
      return `Unexpected value following the '#' symbol, a positive number was expected but found ${occurrence}.`;
    if (occurrenceNum > 5) return `Number of occurrence of the day of the week cannot be greater than 5.`;
    return withinLimits(day, field);
  }
  return withinLimits(element, field);
}

function rangeElement(element: string, field: CronField, position: number): Check {
  if (element === '*') return `'*' can't be part of a range in ${field} field.`;
  if (element === '') return `One of the range elements is empty in ${field} field.`;
  if (field === 'daysOfMonth' && element === 'L' && position === 0) return undefined;
  return withinLimits(element, field);
}

function firstStepElement(element: string, field: CronField): Check {
  const range = element.split('-');
  if (range.length > 2) return `List element '${element}' is not valid. (More than one '-').`;
  if (range.length === 1) return singleElement(range[0] ?? '', field);
  const [from = '', to = ''] = range;
  const first = rangeElement(from, field, 0);
  const second = rangeElement(to, field, 1);
  if (first !== undefined) return first;
  if (second !== undefined) return second;
  if (Number(from) > Number(to))
    return `Lower range end '${from}' is bigger than upper range end '${to}' of ${field} field.`;
  return undefined;
}

function listElement(element: string, field: CronField): Check {
  const steps = element.split('/');
  if (steps.length > 2) return `List element '${element}' is not valid. (More than one '/').`;
  const first = firstStepElement(steps[0] ?? '', field);
  if (first !== undefined) return first;
  if (steps.length !== 2) return undefined;
  const step = steps[1] ?? '';
  if (!step) return `Second step element '${step}' of '${element}' is not valid (doesnt exist).`;
  if (Number.isNaN(Number(step))) return `Second step element '${step}' of '${element}' is not valid (not a number).`;
  const stepNumber = Number(step);
  if (stepNumber === 0) return `Second step element '${step}' of '${element}' cannot be zero.`;
  if (stepNumber < 0) return `Second step element '${step}' of '${element}' cannot be negative.`;
  if (stepNumber % 1 !== 0) return `Second step element '${step}' of '${element}' is not an integer.`;
  const { upper } = LIMITS[field];
  if (upper && stepNumber > upper)
    return `Second step element '${step}' of '${element}' is bigger than the upper limit '${upper}'.`;
  // A step must fit in its range: 10-20/5 is allowed (10, 15, 20), 10-20/11 is not.
  const range = (steps[0] ?? '').split('-');
  if (range.length === 2) {
    const start = Number(range[0]);
    const end = Number(range[1]);
    // (cron-validate checks here that the step is above 0 too: the checks above already have.)
    if (!Number.isNaN(start) && !Number.isNaN(end) && stepNumber >= end - start + 1)
      return `Step value '${step}' is too large for the range '${start}-${end}'.`;
  }
  return undefined;
}

/** cron-validate's checkField: a field's errors, one per list element that fails. */
function fieldErrors(value: string, field: CronField): string[] {
  if (value === '?') {
    if (field === 'daysOfMonth' || field === 'daysOfWeek') return [];
    return [`blank notation is not allowed in ${field} field.`];
  }
  const errors: string[] = [];
  for (const element of value.split(',')) {
    const error = listElement(element, field);
    if (error !== undefined) errors.push(error);
  }
  return errors;
}

const BOTH_BLANK = `Cannot use blank value in daysOfMonth and daysOfWeek field when allowOnlyOneBlankDayField option is enabled.`;
const NEITHER_BLANK = `Cannot specify both daysOfMonth and daysOfWeek field when mustHaveBlankDayField option is enabled.`;

function daysOfMonthErrors(dom: string, dow: string): string[] {
  if (dom === '?' && dow === '?') return [BOTH_BLANK];
  if (dom !== '?' && dow !== '?') return [NEITHER_BLANK];
  if (dom.includes('L') && /[,/]/.test(dom))
    return [`Cannot specify last day of month with lists, or ranges (symbols ,/).`];
  if (dom.includes('W') && /[,/-]/.test(dom))
    return [`Cannot specify nearest weekday with lists, steps or ranges (symbols ,-/).`];
  return fieldErrors(dom, 'daysOfMonth');
}

function daysOfWeekErrors(dom: string, dow: string): string[] {
  if (dom === '?' && dow === '?') return [BOTH_BLANK];
  if (dom !== '?' && dow !== '?') return [NEITHER_BLANK];
  if (dow.includes('L') && /[,/-]/.test(dow))
    return [`Cannot specify last day of week with lists, steps or ranges (symbols ,-/).`];
  if (dow.includes('#') && /[,/-]/.test(dow))
    return [`Cannot specify Nth weekday of month with lists, steps or ranges (symbols ,-/).`];
  return fieldErrors(dow, 'daysOfWeek');
}

/**
 * What cron-validate answers for `cron` with the aws-cloud-watch preset, useSeconds and useYears =
 * `withYears`: no errors when it is valid, else its errors (each ending in "(Input cron: '…')").
 */
export function quartzFieldErrors(cron: string, withYears: boolean): string[] {
  const parts = cron.trim().split(' ');
  const expected = withYears ? 7 : 6;
  if (parts.length !== expected)
    return [`Expected ${expected} values, but got ${parts.length}. (Input cron: '${cron}')`];
  const [seconds, minutes, hours, dom, months, dow, years] = parts as [string, ...string[]];
  const missing = (field: string, more = '') => [`${field} field is undefined${more}.`];
  const checks: string[][] = [
    seconds ? fieldErrors(seconds, 'seconds') : missing('seconds', ', but useSeconds options is enabled'),
    minutes ? fieldErrors(minutes, 'minutes') : missing('minutes'),
    hours ? fieldErrors(hours, 'hours') : missing('hours'),
    dom ? daysOfMonthErrors(dom, dow ?? '') : missing('daysOfMonth'),
    months ? fieldErrors(months, 'months') : missing('months'),
    dow ? daysOfWeekErrors(dom ?? '', dow) : missing('daysOfWeek'),
  ];
  if (withYears)
    checks.push(years ? fieldErrors(years, 'years') : missing('years', ', but useYears option is enabled'));
  return checks.flat().map((error) => `${error} (Input cron: '${cron}')`);
}
