/**
 * A rendered `schedule:` → the API's dispatch form (docs/FDI-API.md §6):
 * `{cron}` → `use_quartz_cron: true, cron`; `{period, interval}` → `use_quartz_cron: false, period,
 * dispatch_interval`. `start_datetime` (epoch ms or ISO 8601 with an offset) and `remark` go with
 * either. FDI's schedule has no time zone, so `timezone` is refused with the reason.
 */
import { DISPATCH_PERIODS, type DispatchPeriod, type TaskDispatch } from '../fdi/model/api.js';
import { isPlainObject, type JsonObject } from '../template/index.js';
import { quartzCronProblem } from './quartz.js';

/** Documented limits of TaskDispatch. */
export const SCHEDULE_LIMITS = {
  cron: { min: 8, max: 255 },
  interval: { min: 1, max: 59 },
  remark: { min: 8, max: 36 },
  startDatetime: { min: 946_684_800_000, max: 2_147_512_447_000 },
} as const;

/** What is wrong with a schedule, before it is located. */
export interface ScheduleProblem {
  /** Key inside `schedule` the problem is about, if any. */
  key?: string;
  message: string;
  hint?: string;
}

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** One part of a schedule, converted: its keys of the dispatch form, or what is wrong with them. */
interface Part {
  dispatch: TaskDispatch;
  problems: ScheduleProblem[];
}

/** Converts a rendered schedule, or says everything that is wrong with it. */
export function toDispatch(schedule: unknown): { dispatch?: TaskDispatch; problems: ScheduleProblem[] } {
  if (!isPlainObject(schedule))
    return {
      problems: [
        { message: 'schedule must be a mapping such as {cron: "0 30 2 * * ?"} or {period: DAY, interval: 1}' },
      ],
    };
  const hasCron = schedule.cron !== undefined;
  const hasPeriod = schedule.period !== undefined;
  // In the order of the dispatch form's keys, which is the order of the problems too.
  const parts = [modePart(hasCron, hasPeriod)];
  if (hasCron) parts.push(cronPart(schedule));
  else if (hasPeriod) parts.push(periodPart(schedule));
  if (schedule.start_datetime !== undefined) parts.push(startPart(schedule.start_datetime));
  if (schedule.remark !== undefined) parts.push(remarkPart(schedule.remark));
  if (schedule.timezone !== undefined) parts.push(TIMEZONE_REFUSED);
  const problems = parts.flatMap((p) => p.problems);
  if (problems.length) return { problems };
  const dispatch: TaskDispatch = {};
  for (const part of parts) Object.assign(dispatch, part.dispatch);
  return { dispatch, problems };
}

/** Exactly one of cron and period. */
function modePart(hasCron: boolean, hasPeriod: boolean): Part {
  const problems: ScheduleProblem[] = [];
  if (hasCron && hasPeriod)
    problems.push({
      key: 'period',
      message: 'schedule has both cron and period',
      hint: 'use either {cron: …} or {period: …, interval: …}',
    });
  if (!hasCron && !hasPeriod)
    problems.push({
      message: 'schedule needs cron or period',
      hint: 'e.g. {cron: "0 30 2 * * ?"} or {period: DAY, interval: 1}',
    });
  return { dispatch: {}, problems };
}

/**
 * `timezone` cannot be sent: the schedule of Huawei's SDKs (TaskDispatch) has no time zone; only
 * the 2025 documentation names a `cron_timezone` (docs/FDI-API.md §6, §10).
 */
const TIMEZONE_REFUSED: Part = {
  dispatch: {},
  problems: [
    {
      key: 'timezone',
      message:
        "schedule.timezone cannot be applied: FDI's schedule (TaskDispatch) has no time zone field, so FDI runs the cron in its own time zone",
      hint: 'remove timezone and write the cron in the time zone of the ROMA Connect instance',
    },
  ],
};

/** `{cron}` → `use_quartz_cron: true, cron`. */
function cronPart(s: JsonObject): Part {
  const dispatch: TaskDispatch = { use_quartz_cron: true };
  const problems: ScheduleProblem[] = [];
  const p = cronProblem(s.cron);
  if (p) problems.push(p);
  else dispatch.cron = s.cron as string;
  if (s.interval !== undefined)
    problems.push({
      key: 'interval',
      message: 'interval goes with period, not with cron',
      hint: 'remove interval, or use {period: …, interval: …}',
    });
  return { dispatch, problems };
}

/** `{period, interval}` → `use_quartz_cron: false, period, dispatch_interval` (the interval defaults to 1). */
function periodPart(s: JsonObject): Part {
  const dispatch: TaskDispatch = { use_quartz_cron: false };
  const problems: ScheduleProblem[] = [];
  if (!(DISPATCH_PERIODS as readonly unknown[]).includes(s.period)) {
    problems.push({
      key: 'period',
      message: `schedule.period must be one of ${DISPATCH_PERIODS.join(', ')} (got ${JSON.stringify(s.period)})`,
    });
  } else dispatch.period = s.period as DispatchPeriod;
  const interval = s.interval ?? 1;
  const { min, max } = SCHEDULE_LIMITS.interval;
  if (typeof interval !== 'number' || !Number.isInteger(interval) || interval < min || interval > max) {
    problems.push({
      key: 'interval',
      message: `schedule.interval must be a whole number from ${min} to ${max} (got ${JSON.stringify(interval)})`,
    });
  } else dispatch.dispatch_interval = interval;
  return { dispatch, problems };
}

function startPart(v: unknown): Part {
  const ms = startMillis(v);
  if (typeof ms !== 'string') return { dispatch: { start_datetime: ms }, problems: [] };
  return {
    dispatch: {},
    problems: [
      { key: 'start_datetime', message: ms, hint: 'e.g. start_datetime: "2025-01-01T02:30:00+08:00" or 1735669800000' },
    ],
  };
}

function remarkPart(v: unknown): Part {
  const { min, max } = SCHEDULE_LIMITS.remark;
  if (typeof v === 'string' && v.length >= min && v.length <= max) return { dispatch: { remark: v }, problems: [] };
  return {
    dispatch: {},
    problems: [
      {
        key: 'remark',
        message: `schedule.remark must be ${min}–${max} characters long (got ${typeof v === 'string' ? v.length : JSON.stringify(v)})`,
      },
    ],
  };
}

function cronProblem(cron: unknown): ScheduleProblem | undefined {
  const { min, max } = SCHEDULE_LIMITS.cron;
  const hint =
    'a Quartz cron has 6 or 7 fields: second minute hour day-of-month month day-of-week [year], e.g. "0 30 2 * * ?"';
  if (typeof cron !== 'string')
    return { key: 'cron', message: `schedule.cron must be a string (got ${JSON.stringify(cron)})`, hint };
  if (cron.length < min || cron.length > max)
    return { key: 'cron', message: `schedule.cron must be ${min}–${max} characters long (got ${cron.length})`, hint };
  const problem = quartzCronProblem(cron);
  if (problem) return { key: 'cron', message: `schedule.cron ${JSON.stringify(cron)}: ${problem}`, hint };
  return undefined;
}

function startMillis(v: unknown): number | string {
  const { min, max } = SCHEDULE_LIMITS.startDatetime;
  let ms: number;
  if (typeof v === 'number' && Number.isInteger(v)) ms = v;
  else if (typeof v === 'string' && ISO_WITH_OFFSET.test(v) && !Number.isNaN(Date.parse(v))) ms = Date.parse(v);
  else
    return `schedule.start_datetime must be epoch milliseconds or an ISO 8601 date-time with an offset (got ${JSON.stringify(v)})`;
  if (ms < min || ms > max)
    return `schedule.start_datetime ${JSON.stringify(v)} is outside ${new Date(min).toISOString()} … ${new Date(max).toISOString()}`;
  return ms;
}
