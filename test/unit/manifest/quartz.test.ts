import cronValidateModule from 'cron-validate';
import { describe, expect, it } from 'vitest';
import { quartzFieldErrors } from '../../../lib/manifest/quartz-fields.js';
import { quartzCronProblem } from '../../../lib/manifest/quartz.js';

type CronValidate = typeof cronValidateModule.default;
const cronValidate: CronValidate =
  typeof cronValidateModule === 'function' ? (cronValidateModule as CronValidate) : cronValidateModule.default;

/** What cron-validate itself answers, as quartz.ts called it before the port. */
function reference(cron: string, withYears: boolean): string[] {
  const result = cronValidate(cron, { preset: 'aws-cloud-watch', override: { useSeconds: true, useYears: withYears } });
  return result.isValid() ? [] : result.getError();
}

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ATOMS = [
  '*',
  '?',
  'L',
  'W',
  'LW',
  'L-3',
  '5L',
  'L5',
  '6#3',
  '2#6',
  '1#',
  '#2',
  '2#1#1',
  '15W',
  'W',
  '3-1',
  '1-3',
  '0',
  '00',
  '1',
  '7',
  '8',
  '12',
  '13',
  '23',
  '24',
  '31',
  '32',
  '59',
  '60',
  '-1',
  '1.5',
  '1e1',
  '0x1F',
  '+5',
  'Infinity',
  'NaN',
  'JAN',
  'jan',
  'DEC',
  'Foo',
  'MON',
  'sun',
  'SAT',
  'MON-FRI',
  'JAN-MAR',
  '1970',
  '2199',
  '2200',
  '1969',
  '*/5',
  '0/15',
  '10-20/5',
  '10-20/11',
  '1-5/0',
  '*/-1',
  '*/1.5',
  '*/x',
  '*/',
  '*/60',
  '1/2/3',
  '1-2-3',
  '',
  '-',
  '*-5',
  '5-*',
  'L-W',
  '?/2',
  'L/2',
  '1,2',
  'L,5',
  '15W,3',
  '2#1,3',
  '5L,1',
  'x',
];

/** Atoms valid in every field but the year, and in the year. */
const GOOD = ['*', '1', '5', '*/5', '1-5', '2,3', '3/2'];
const GOOD_YEARS = ['*', '2030', '2025-2030', '2030/5'];

function randomField(next: () => number, year: boolean): string {
  const n = 1 + Math.floor(next() * (next() < 0.7 ? 1 : 3));
  const from = next() < 0.6 ? (year ? GOOD_YEARS : GOOD) : ATOMS;
  const pick = () => from[Math.floor(next() * from.length)] ?? '*';
  return Array.from({ length: n }, pick).join(',');
}

describe('the Quartz field checks (a port of cron-validate 1.5.3)', () => {
  const fixed = [
    '0 30 2 * * ?',
    '0 0 12 ? * MON-FRI',
    '0 15 10 L * ?',
    '0 15 10 ? * 6L',
    '0 15 10 ? * 6#3',
    '0 15 10 15W * ?',
    '0 15 10 LW * ?',
    '0 0/5 14,18 * * ?',
    '0 0 12 * * ? 2030',
    '0 0 12 ? * * 2200',
    '0 0 12 * * *',
    '0 0 12 ? * ?',
    '60 0 0 * * ?',
    '0 0 0 32 * ?',
    '0 0 0 ? 13 *',
    '0 10-20/11 * * * ?',
    '* * * * * ? *',
  ];

  it('answers as cron-validate does for known crons', () => {
    for (const cron of fixed) {
      const withYears = cron.split(' ').length === 7;
      expect(quartzFieldErrors(cron, withYears), cron).toEqual(reference(cron, withYears));
    }
  });

  it('answers as cron-validate does for thousands of generated crons', () => {
    const next = random(16);
    let valid = 0;
    for (let i = 0; i < 20_000; i++) {
      const withYears = next() < 0.3;
      const fields = Array.from({ length: withYears ? 7 : 6 }, (_, i) => randomField(next, i === 6));
      // Most valid crons leave one day field blank.
      if (next() < 0.6) fields[next() < 0.5 ? 3 : 5] = '?';
      const cron = fields.join(' ');
      const expected = reference(cron, withYears);
      if (expected.length === 0) valid += 1;
      expect(quartzFieldErrors(cron, withYears), cron).toEqual(expected);
    }
    expect(valid).toBeGreaterThan(200);
  });

  it('keeps the messages of quartz.ts', () => {
    expect(quartzCronProblem('0 30 2 * * ?')).toBeUndefined();
    expect(quartzCronProblem('0 0 25 * * ?')).toBe('hour 25 is out of range (0–23)');
    expect(quartzCronProblem('0 0 12 * * *')).toBe(
      'Quartz needs "?" in exactly one of day-of-month and day-of-week (e.g. "0 30 2 * * ?")',
    );
    expect(quartzCronProblem('0 0 12 * *')).toBe('has 5 fields; a Quartz cron has 6 or 7');
  });
});
