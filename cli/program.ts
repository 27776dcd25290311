/**
 * The command line's commands and flags, declared with commander: each command's action is its
 * module under cli/commands/, imported only when the command runs so that `--version` and
 * `validate` start fast. Declares and dispatches; the logic lives in lib/.
 */
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_EMULATOR_PORT } from '../emulator/defaults.js';
import { DEFAULT_BUCKET } from '../local/defaults.js';
import type { CliContext, CommandAction } from './context.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const MANIFEST_ARG = ['<manifest>', 'a path or s3://bucket/key'] as const;
/** `--report` of the commands that write a report (apply, destroy). */
const REPORT_OPTION = [
  '--report <dir|s3://bucket/prefix>',
  'where the report goes (default ./reports, or the storage layout for s3:// manifests)',
] as const;

type Loader = () => Promise<{ default: CommandAction<never> }>;

/** A commander action that loads the command's module and sets the exit code it resolves to. */
function lazy(load: Loader, ctx: CliContext) {
  return async (...argv: unknown[]) => {
    const cmd = argv[argv.length - 1] as Command;
    const flags = cmd.opts();
    const code = await (await load()).default(cmd.args, flags as never, ctx);
    process.exitCode = code;
  };
}

/** A repeatable flag: every value, in order. */
const collect = (v: string, prev: string[] = []) => [...prev, v];

/** The program `fdi-provision`, its output going to the context's streams. */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('fdi-provision')
    .description('Batch task provisioner for Huawei Cloud ROMA Connect FDI')
    .version(pkg.version)
    .showHelpAfterError()
    .configureOutput({ writeOut: (s) => ctx.stdout.write(s), writeErr: (s) => ctx.stderr.write(s) });
  // The order here is the order of the help text.
  addOfflineCommands(program, ctx);
  addFdiCommands(program, ctx);
  addRunsCommand(program, ctx);
  addEmulatorCommand(program, ctx);
  addStackCommands(program, ctx);
  return program;
}

/** validate, render: the manifest alone, no network. */
function addOfflineCommands(program: Command, ctx: CliContext): void {
  program
    .command('validate')
    .description('parse, expand and check a manifest; list every problem (no network)')
    .argument(...MANIFEST_ARG)
    .option('--json', 'problems as JSON on stdout')
    .option('--quiet', 'only the problems')
    .action(lazy(() => import('./commands/validate.js'), ctx));

  program
    .command('render')
    .description('print the exact create-request body of every task, one JSON object per line (no network)')
    .argument(...MANIFEST_ARG)
    .option('--with-target', 'add the task\'s target, schedule and start as a separate top-level "_meta" field')
    .option('--quiet', 'no note about data sources given by name')
    .action(lazy(() => import('./commands/render.js'), ctx));
}

/** plan, apply: the commands that talk to FDI, with the engine's flags. */
function addFdiCommands(program: Command, ctx: CliContext): void {
  withEngineFlags(
    program
      .command('plan')
      .description(
        'resolve data sources and existing tasks; print create / skip / update / conflict per task (read-only)',
      )
      .argument(...MANIFEST_ARG)
      .option('--destroy', 'what destroy would do instead: delete / absent / foreign per task')
      .option('--force', "with --destroy: delete tasks of the manifest's names whatever their definition"),
  ).action(lazy(() => import('./commands/plan.js'), ctx));

  withEngineFlags(
    program
      .command('apply')
      .description('provision the tasks of a manifest and write the report')
      .argument(...MANIFEST_ARG)
      .option(...REPORT_OPTION)
      .addOption(verifyOption()),
  ).action(lazy(() => import('./commands/apply.js'), ctx));

  withEngineFlags(
    program
      .command('destroy')
      .description('delete the tasks a manifest defines (stopping running ones first); asks first on a terminal')
      .argument(...MANIFEST_ARG)
      .option('--yes', 'delete without asking (required without a terminal)')
      .option(
        '--force',
        "delete tasks of the manifest's names even when their definition differs (not composite tasks)",
      )
      .option(...REPORT_OPTION),
  ).action(lazy(() => import('./commands/destroy.js'), ctx));
}

/**
 * `--verify [seconds]` (docs/VERIFY.md). A value that is not a number is refused here, with how to
 * write it: `apply --verify wave.yaml` would otherwise take the manifest for the seconds.
 */
function verifyOption(): Option {
  return new Option(
    '--verify [seconds]',
    'then wait up to this long (default 300, at most 3600) for the executions of the tasks it started or ran; ' +
      'exit 1 unless each succeeded (a REALTIME stream: runs) — a failed one, or one still running or not yet ' +
      'run at the deadline (docs/VERIFY.md); overrides options.verify',
  ).argParser((value: string) => {
    if (!/^\s*\d+\s*$/.test(value))
      throw new InvalidArgumentError(
        'give whole seconds (1–3600), after the manifest or as --verify=SECONDS: apply wave.yaml --verify 120',
      );
    return value;
  });
}

/** The flags of the commands that talk to FDI (CommonFlags); each names its environment variable. */
function withEngineFlags(cmd: Command): Command {
  return cmd
    .option('--endpoint <url>', 'FDI endpoint (FDI_ENDPOINT)')
    .option('--project-id <id>', 'project ID (FDI_PROJECT_ID)')
    .option('--instance-id <id>', 'ROMA Connect instance ID (FDI_INSTANCE_ID)')
    .option('--token <token>', 'IAM token (FDI_AUTH_TOKEN); prefer the environment, argv is visible to other users')
    .option('--concurrency <n>', 'requests in flight at most (FDI_CONCURRENCY)')
    .option('--rate <rps>', 'requests per second at most (FDI_RATE)')
    .option(
      '--burst <n>',
      'requests the FDI gateway accepts at once above --rate, spent at the start (FDI_BURST; default 0)',
    )
    .option('--max-attempts <n>', 'attempts per request (FDI_MAX_ATTEMPTS)')
    .option('--timeout-ms <ms>', 'timeout of one request (FDI_TIMEOUT_MS)')
    .option(
      '--state <dir|s3://bucket/prefix>',
      'where the records of the last applies are kept, for drift detection (FDI_STATE; default ./.fdi-state)',
    )
    .option('--json', 'machine output on stdout')
    .option('--quiet', 'only errors on stderr');
}

/** runs: the runs a store knows, or one run (README, "Runs"). */
function addRunsCommand(program: Command, ctx: CliContext): void {
  program
    .command('runs')
    .description('the runs of a report folder (default ./reports) or bucket, newest first; or one run in detail')
    .argument('[run-id]', 'show this run in detail (omit it to list the runs)')
    .argument(
      '[where]',
      "dir (default ./reports), s3://bucket (the function's layout) or s3://bucket/prefix; may come alone",
    )
    .option('--json', 'machine output on stdout (README, "Runs")')
    .option('--watch', 'refresh until the run (or every run shown) has ended')
    .option('--interval <seconds>', 'with --watch: how often to look', '2')
    .option('--limit <n>', 'runs per page', '20')
    .option('--offset <n>', 'skip this many of the newest runs', '0')
    .action(lazy(() => import('./commands/runs.js'), ctx));
}

/** emulator: the FDI emulator's settings as flags (EmulatorFlags). */
function addEmulatorCommand(program: Command, ctx: CliContext): void {
  program
    .command('emulator')
    .description('run the FDI emulator on loopback')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 picks a free one)', String(DEFAULT_EMULATOR_PORT))
    .option('--token <token>', 'accepted X-Auth-Token value (repeatable)', collect)
    .option('--ak <ak>', 'accepted access key')
    .option('--sk <sk>', 'secret key of --ak')
    .option('--project <id>', 'project ID (repeatable)', collect)
    .option('--instance <id>', 'instance ID (repeatable)', collect)
    .option('--datasources <file>', 'YAML/JSON array of {datasource_id, datasource_name, datasource_type, app_id}')
    .option('--max-tasks <n>', 'task quota per instance', '1000')
    .option('--rate-quota <n>', 'request-rate quota per --rate-quota-period, answering 429 APIGW.0308')
    .option('--rate-quota-period <period>', 'the period of --rate-quota: second (default) or minute')
    .option('--rate-quota-model <model>', 'how the quota counts: bucket (a burst of a period, default) or window')
    .option('--rate-quota-message <form>', "the 429's message: limit (states the quota, default) or plain")
    .option('--retry-after <seconds>', 'send Retry-After with 429')
    .option('--latency-ms <ms>', 'fixed latency per request')
    .option('--jitter-ms <ms>', 'random extra latency per request')
    .addOption(
      new Option(
        '--fault <kind=probability>',
        'inject a fault: 500, 500-after-commit, 502, 503, 504, 429, reset, hang (repeatable)',
      ).argParser(collect),
    )
    .option('--seed <n>', 'seed of the fault and latency generator')
    .option('--state <file>', 'persist tasks to this file between runs')
    .option('--token-ttl-s <seconds>', 'lifetime of tokens issued by POST /v3/auth/tokens', '86400')
    .option('--detail-form <form>', 'task_detail in answers: response (RawFormDataResponse, default) or request (echo)')
    .addOption(noDispatchOption())
    .option('--execution-ms <ms>', 'how long a simulated execution runs (default 1000)')
    .option('--execution-fail-share <share>', 'share of simulated executions that fail, 0 to 1 (default 0)')
    .option('--execution-seed <n>', 'seed of which simulated executions fail (default 1)')
    .option('--run-on-start', 'a batch start of a TIMING task runs it at once')
    .action(lazy(() => import('./commands/emulator.js'), ctx));
}

/**
 * `--no-dispatch 404|empty|no-id`. Commander reads a `--no-` flag as the negation of `--dispatch`;
 * this one takes a value of its own, so it is marked as not negating (its value lands in `noDispatch`).
 */
function noDispatchOption(): Option {
  const option = new Option(
    '--no-dispatch <form>',
    'ShowDispatches of a task without a schedule: 404 (default), empty, no-id',
  );
  option.negate = false;
  return option;
}

/** local, demo: the embedded stack. */
function addStackCommands(program: Command, ctx: CliContext): void {
  program
    .command('local')
    .description('run the embedded stack: S3-compatible server + emulator + upload trigger')
    .option('--s3-port <port>', 'S3-compatible server port', '4568')
    .option('--emulator-port <port>', 'FDI emulator port', String(DEFAULT_EMULATOR_PORT))
    .option('--bucket <name>', 'bucket to create and watch', DEFAULT_BUCKET)
    .option('--data-dir <dir>', 'where the stack keeps its files', '.local')
    .addOption(platformOption())
    .action(lazy(() => import('./commands/local.js'), ctx));

  program
    .command('demo')
    .description(
      'the main job end to end on the embedded stack: upload the example manifests, wait for the reports, print them',
    )
    .option('--data-dir <dir>', 'where the stack keeps its files (default: a fresh temporary folder)')
    .addOption(platformOption())
    .action(lazy(() => import('./commands/demo.js'), ctx));
}

/**
 * `--platform aws|functiongraph`: whose handler the stack's upload events go to — the Lambda handler
 * with S3 events, or the FunctionGraph handler with OBS events and temporary credentials.
 */
function platformOption(): Option {
  return new Option(
    '--platform <name>',
    'the handler the upload events go to: aws (Lambda, S3 events) or functiongraph (OBS events, agency credentials)',
  )
    .choices(['aws', 'functiongraph'])
    .default('aws');
}
