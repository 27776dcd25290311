/**
 * Schedules are checked by the real rules (#11.8): a Quartz cron by its field ranges, steps, lists,
 * L/W/# and the "?" rule, and a timezone by the IANA database — not by counting fields.
 */
import { describe, expect, it } from 'vitest';
import { runCli, tempDir, writeManifest } from '../../helpers/cli.js';

const manifest = (schedule: string) => `version: 1
target: { project_id: p, instance_id: i }
tasks:
  - name: nightly
    task_type: TIMING
    source_datasource: s1
    target_datasource: s2
    detail: { x: 1 }
    schedule: ${schedule}
`;

describe('schedule rules', () => {
  it.each([
    ['{ cron: "0 61 2 * * ?" }', /schedule\.cron "0 61 2 \* \* \?": minute 61 is out of range \(0–59\)/],
    ['{ cron: "0 30 25 * * ?" }', /schedule\.cron "0 30 25 \* \* \?": hour 25 is out of range \(0–23\)/],
    [
      '{ cron: "0 30 2 * * *" }',
      /schedule\.cron "0 30 2 \* \* \*": Quartz needs "\?" in exactly one of day-of-month and day-of-week/,
    ],
    ['{ cron: "0 0 12 ? * ?" }', /exactly one of day-of-month and day-of-week/],
    ['{ cron: "0 0 12 ? * 8" }', /day-of-week 8 is out of range \(1–7 or SUN–SAT\)/],
    // FDI's schedule has no time zone (TaskDispatch in Huawei's SDKs): any timezone is refused, with the reason.
    ['{ cron: "0 30 2 * * ?", timezone: Asia/Shanghai }', /schedule\.timezone cannot be applied: FDI's schedule/],
    ['{ cron: "0 30 2 * * ?", timezone: UTC }', /schedule\.timezone cannot be applied/],
  ])('%s is refused with its reason', async (schedule, message) => {
    const file = await writeManifest(await tempDir('fdi-sched-'), 'bad.yaml', manifest(schedule));
    const res = await runCli(['validate', file]);
    expect(res.code, res.stdout).toBe(2);
    expect(res.stderr).toMatch(message);
    expect(res.stderr).toMatch(/bad\.yaml:9:\d+: task #0 "nightly"/);
  });

  it.each([
    '{ cron: "0 30 2 * * ?" }',
    '{ cron: "0 0/15 * * * ?" }',
    '{ cron: "0 0 12 ? * MON-FRI" }',
    '{ cron: "0 15 10 L * ?" }',
    '{ cron: "0 15 10 ? * 6#3" }',
    '{ cron: "0 0 12 15W * ?" }',
    '{ cron: "0 0 12 ? * 6L" }',
    '{ cron: "0 0 12 * * ? 2027" }',
    '{ cron: "0  30  2 * * ?" }',
  ])('%s is a valid schedule', async (schedule) => {
    const file = await writeManifest(await tempDir('fdi-sched-'), 'good.yaml', manifest(schedule));
    const res = await runCli(['validate', file]);
    expect(res.code, res.stderr).toBe(0);
  });
});
