/**
 * The manifest schema (zod): the single source of the manifest's shape, of its TypeScript types and
 * of schema/manifest.schema.json. It checks the written form; what templates render is checked after
 * expansion (task-checks.ts), where `${…}` values are known.
 */
// The module namespace, not zod's `z` object, which holds all of zod's ~40 locales: esbuild can leave
// out what no one uses (~360 of zod's 460 KB in the CLI bundle, ~15 ms of `validate`) once every
// module of a command that imports zod does the same (docs/PERFORMANCE.md, "Start-up").
import * as z from 'zod';
import { DISPATCH_PERIODS, TASK_TYPES } from '../fdi/model/api.js';
import { ON_EXISTS } from '../types.js';

/** Variable names: json-e identifiers, minus names that mean something to JavaScript objects. */
export const VAR_NAME = /^(?!(?:__proto__|constructor|prototype)$)[A-Za-z_][A-Za-z0-9_]*$/;
export const TEMPLATE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

const TEMPLATED = /\$\{/;

/** A json-e operator object, e.g. `{$eval: flag}` or `{$if: "x", then: …}`. */
const Operator = z
  .record(z.string(), z.unknown())
  .refine((o) => Object.keys(o).some((k) => k.startsWith('$')), {
    error: 'must be a value or a json-e operator such as {$eval: "…"}',
  })
  .meta({
    id: 'JsoneOperator',
    description: 'A json-e operator such as {$eval: "expr"} (keeps the type of the result).',
  });

const templatedString = (description: string) =>
  z.string().meta({ description: `${description} May use \${…} interpolation.` });

const Vars = z
  .record(
    z
      .string()
      .regex(VAR_NAME, { error: 'variable names are identifiers: letters, digits and "_", not starting with a digit' }),
    z.unknown(),
  )
  .meta({
    id: 'Vars',
    description:
      'Variables visible to templates as ${name}. Later levels win: manifest < defaults < template < task < matrix.',
  });

const DatasourceRef = z
  .union([
    z.string().min(1, { error: 'must not be empty' }),
    z.strictObject({
      name: z.string().min(1).optional().meta({ description: 'Data source name, resolved to its ID by plan/apply.' }),
      id: z.string().min(1).optional().meta({ description: 'Data source ID, used as is.' }),
    }),
  ])
  .meta({
    id: 'DatasourceRef',
    description: 'A data source: its ID as a string, or {name: …} (resolved later), or {id: …}.',
  });

const TargetOverride = z
  .strictObject({
    project_id: templatedString('Project ID.').optional(),
    instance_id: templatedString('ROMA Connect instance ID.').optional(),
  })
  .meta({ id: 'TaskTarget', description: 'Where the task goes; merged over the manifest target.' });

const Schedule = z
  .strictObject({
    cron: z
      .string()
      .meta({
        description: 'Quartz cron with 6 or 7 fields (sec min hour day month weekday [year]), e.g. "0 30 2 * * ?".',
      })
      .optional(),
    timezone: z
      .unknown()
      .meta({
        description: "Not supported: FDI's schedule has no time zone; write the cron in the instance's time zone.",
      })
      .optional(),
    period: z
      .union([
        z.enum(DISPATCH_PERIODS),
        z.string().regex(TEMPLATED, { error: `must be one of ${DISPATCH_PERIODS.join(', ')}` }),
        Operator,
      ])
      .optional(),
    interval: z
      .union([z.number().int().min(1).max(59), Operator])
      .meta({ description: 'Run every N periods (1–59, default 1).' })
      .optional(),
    start_datetime: z
      .union([z.number().int(), z.string(), Operator])
      .meta({
        description:
          'First run: epoch milliseconds or an ISO 8601 date-time with an offset, e.g. "2025-01-01T02:30:00+08:00".',
      })
      .optional(),
    remark: z.string().meta({ description: 'Remark of the schedule (8–36 characters).' }).optional(),
  })
  .meta({ id: 'Schedule', description: 'Schedule of a TIMING task: {cron: …} or {period: DAY, interval: 1}.' });

/** The fields a task entry shares with templates and defaults. */
const taskSettings = {
  task_type: z
    .union([z.enum(TASK_TYPES), z.string().regex(TEMPLATED, { error: `must be ${TASK_TYPES.join(' or ')}` }), Operator])
    .meta({ description: 'REALTIME or TIMING.' })
    .optional(),
  source_datasource: DatasourceRef.optional(),
  target_datasource: DatasourceRef.optional(),
  description: z
    .union([templatedString('Description (1–1024 characters; empty means none).'), Operator])
    .nullable()
    .optional(),
  task_tag: z
    .union([templatedString('Task tag (4–64 letters, digits, "-", "_"; empty means none).'), Operator])
    .nullable()
    .optional(),
  vars: Vars.optional(),
  detail: z
    .record(z.string(), z.unknown())
    .meta({
      description:
        'task_detail (RawFormDataRequest) as YAML, rendered with json-e; deep-merged over less specific levels.',
    })
    .optional(),
  detail_json: z
    .string()
    .min(1)
    .meta({ description: 'task_detail as a JSON string, used exactly as written (no interpolation).' })
    .optional(),
  target: TargetOverride.optional(),
  schedule: Schedule.nullable().optional(),
  start: z
    .union([z.boolean(), Operator])
    .meta({ description: 'Start the task after it is created (default false).' })
    .optional(),
  run_now: z
    .union([z.boolean(), Operator])
    .meta({
      description:
        'Trigger one execution of a TIMING task right after this run creates or updates it (default false; docs/MANIFEST.md).',
    })
    .optional(),
};

/** `defaults:` and each of `templates:`. */
export const TaskSettingsSchema = z.strictObject(taskSettings).meta({
  id: 'TaskSettings',
  description: 'Settings a task inherits: everything a task entry has except name, template and matrix.',
});

const Matrix = z
  .object({
    include: z
      .array(z.record(z.string().regex(VAR_NAME, { error: 'variable names are identifiers' }), z.unknown()))
      .min(1)
      .meta({ description: 'Extra combinations, each an object of variables.' })
      .optional(),
  })
  .catchall(z.array(z.unknown()).min(1))
  .meta({ description: 'One task per combination of the values of each key (a variable), plus each include entry.' });

export const TaskEntrySchema = z.strictObject({
  name: z
    .string()
    .min(1)
    .meta({ description: 'Task name (3–100 characters: letters, digits, ".", "_", "-"). May use ${…}.' }),
  template: z
    .string()
    .regex(TEMPLATE_NAME, { error: 'template names are letters, digits, ".", "_" and "-"' })
    .meta({ description: 'Name of a template under "templates".' })
    .optional(),
  matrix: Matrix.optional(),
  ...taskSettings,
});

export const OptionsSchema = z
  .strictObject({
    concurrency: z.number().int().min(1).max(64).meta({ description: 'Requests in flight at most (1–64).' }).optional(),
    rate: z.number().positive().max(1000).meta({ description: 'Requests per second at most (up to 1000).' }).optional(),
    max_attempts: z.number().int().min(1).max(10).meta({ description: 'Attempts per request (1–10).' }).optional(),
    on_exists: z
      .enum(ON_EXISTS)
      .meta({ description: 'A task whose name exists: skip (default), update, or fail.' })
      .optional(),
    failure_threshold: z
      .strictObject({
        percent: z.number().min(1).max(100),
        min_attempted: z.number().int().min(0),
      })
      .meta({ description: 'Stop early when this percentage of at least min_attempted tasks failed.' })
      .optional(),
    verify: z
      .number()
      .int()
      .min(1)
      .max(3600)
      .meta({
        description:
          'After apply, wait up to this many seconds for the execution of each task it started or ran (docs/VERIFY.md).',
      })
      .optional(),
  })
  .meta({ description: 'Engine options; configuration may cap them.' });

export const TopTargetSchema = z
  .strictObject({
    project_id: z.string().min(1).max(64).optional(),
    instance_id: z.string().min(1).max(64).optional(),
  })
  .meta({ description: 'Default target of every task; else from configuration.' });

/** A report folder's path: names separated by "/", no "." or ".." segment, no leading "/". */
// eslint-disable-next-line no-control-regex -- control characters are what it refuses
const REPORT_PATH = /^(?!(?:.*\/)?\.{1,2}(?:\/|$))[^/\\\u0000-\u001f]+(?:\/[^/\\\u0000-\u001f]+)*$/;

export const RetryOfSchema = z
  .strictObject({
    manifest: z.string().min(1).max(1024),
    run_id: z.string().min(1).max(64),
    path: z
      .string()
      .min(1)
      .max(512)
      .regex(REPORT_PATH, { error: 'path is a report folder such as "team/wave1": names separated by "/", no ".."' }),
  })
  .meta({
    description:
      'Written by the product in failed.yaml: the manifest and run this file retries, and the report folder its reports go to.',
  });

export const ManifestSchema = z
  .strictObject({
    version: z.literal(1, { error: 'version must be 1' }).meta({ description: 'Manifest format version: 1.' }),
    retry_of: RetryOfSchema.optional(),
    target: TopTargetSchema.optional(),
    options: OptionsSchema.optional(),
    defaults: TaskSettingsSchema.optional(),
    vars: Vars.optional(),
    templates: z
      .record(
        z.string().regex(TEMPLATE_NAME, { error: 'template names are letters, digits, ".", "_" and "-"' }),
        TaskSettingsSchema,
      )
      .meta({ description: 'Named task settings that tasks use with "template: name".' })
      .optional(),
    tasks: z.array(TaskEntrySchema).min(1, { error: 'must list at least one task' }),
  })
  .meta({ title: 'fdi-provisioner manifest', description: 'Tasks to create in ROMA Connect FDI (docs/MANIFEST.md).' });

export type ManifestInput = z.input<typeof ManifestSchema>;
export type TaskSettingsInput = z.input<typeof TaskSettingsSchema>;
export type TaskEntryInput = z.input<typeof TaskEntrySchema>;
export type ScheduleInput = z.input<typeof Schedule>;
export type OptionsInput = z.input<typeof OptionsSchema>;

/** The JSON Schema of the manifest, for editors (draft-07: what yaml-language-server reads best). */
export function manifestJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ManifestSchema, { target: 'draft-7', io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
}
