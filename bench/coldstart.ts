/**
 * bench:coldstart — what every run pays before its first request: the size of the Lambda bundle and the
 * time to load it (and the FunctionGraph one) in a fresh node process, and the start-up time of the CLI
 * (`--version`, and `validate` of the documented example): the bundle `npm run build` makes
 * (scripts/build-cli.ts, issue 16) next to the one-module-per-file layout tsc emits (the CLI before
 * issue 16), and what `npx` and `npm run` add to it. Medians over fresh processes, the commands taking
 * turns (hyperfine when installed).
 *
 * The bench builds its own copies of both CLIs from the current sources (the bundle in dist/, where
 * its external packages resolve, the tsc layout in a temporary folder) and removes them at the end, so
 * a rebuild of dist/cli by someone else during the run changes nothing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import AdmZip from 'adm-zip';
import { buildCli } from '../scripts/build-cli.js';
import { packageFunctionGraph, ZIP as FG_ZIP } from '../scripts/package-functiongraph.js';
import { benchArgs } from './common/args.js';
import { bytes, fmt, log, median, percentile, printSection, table, type Cell } from './common/format.js';
import { endLines, printHeader } from './common/machine.js';
import { CLI, ROOT, benchEnv, requireBuild, runProcess } from './common/proc.js';

const args = benchArgs('npm run bench:coldstart [-- --quick] [-- --runs 30]', {
  runs: { full: 30, quick: 5, help: 'fresh processes per measurement' },
  'launcher-runs': { full: 10, quick: 3, help: 'fresh processes per measurement of npx and npm run (~1 s each)' },
  package: {
    full: 'if-missing',
    help: '"always" rebuilds the Lambda and FunctionGraph bundles first (they may be older than the code)',
  },
});

const ZIP = path.join(ROOT, '.serverless/fdi-provisioner.zip');
const HANDLER = 'handlers/manifest-uploaded.cjs';
const SMALL_MANIFEST = path.join(ROOT, 'manifests/examples/documented-example.yaml');

/**
 * Loads a CommonJS handler and, optionally, calls it once with an event of no records: the first
 * invocation imports the pipeline (lib/trigger, the AWS SDK, got, pino) and builds the dependencies.
 * The context answers both Lambda's and FunctionGraph's clock.
 */
const IMPORT_SNIPPET = (file: string, invoke: boolean) => `
const t0 = performance.now();
const mod = require(${JSON.stringify(file)});
const t1 = performance.now();
${invoke ? `mod.handler({ Records: [] }, { getRemainingTimeInMillis: () => 900000, getRemainingTimeInMilliSeconds: () => 900000 }).then(() => { process.stdout.write(JSON.stringify({ load: t1 - t0, invoke: performance.now() - t1 })); });` : 'process.stdout.write(JSON.stringify({ load: t1 - t0 }));'}
`;

interface Timing {
  label: string;
  /** The command and its arguments. */
  argv: string[];
  /** How it is shown in the notes. */
  shown: string;
  wall: number[];
  inner?: number[];
  innerLabel?: 'require ms' | 'invoke ms';
}

const timing = (label: string, argv: string[], shown: string, inner?: Timing['innerLabel']): Timing => ({
  label,
  argv,
  shown,
  wall: [],
  ...(inner ? { inner: [], innerLabel: inner } : {}),
});

async function main(): Promise<void> {
  requireBuild();
  const runs = Math.max(1, args.runs);
  const launcherRuns = Math.max(1, args['launcher-runs']);
  const hyperfine = spawnSync('hyperfine', ['--version'], { stdio: 'ignore' }).status === 0;
  printHeader('bench:coldstart', {
    runs,
    launcherRuns,
    timer: hyperfine ? 'hyperfine' : 'own loop (hyperfine not installed)',
    quick: args.quick,
  });

  if (!existsSync(ZIP) || args.package === 'always') {
    log(`${existsSync(ZIP) ? 'rebuilding the Lambda bundle' : 'the Lambda bundle is missing'}: npm run package …`);
    const r = spawnSync('npm', ['run', 'package'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0 || !existsSync(ZIP)) throw new Error('npm run package failed');
  }
  if (!existsSync(FG_ZIP) || args.package === 'always') {
    log('building the FunctionGraph package: npm run package:functiongraph …');
    await packageFunctionGraph();
  }
  const work = await mkdtemp(path.join(os.tmpdir(), 'bench-coldstart-'));
  const bundleDir = path.join(ROOT, 'dist', `.bench-coldstart-${process.pid}`);
  try {
    const handlerFile = await unpackLambda(work);
    const fgDir = path.join(work, 'functiongraph');
    new AdmZip(FG_ZIP).extractAllTo(fgDir, true);
    const fgFile = path.join(fgDir, 'index.js');

    log('building the CLI bundle and the tsc layout from the current sources …');
    const built = await buildCli({ outDir: bundleDir });
    const bundledCli = path.join(bundleDir, 'main.js');
    const unbundledCli = await compileUnbundled(work);
    printCliSizes(built.metafile, bundleDir);

    const node = process.execPath;
    const manifest = path.relative(ROOT, SMALL_MANIFEST);
    const timings: Timing[] = [
      timing('node -e 0 (node itself, for reference)', [node, '-e', '0'], 'node -e 0'),
      timing(
        'require the Lambda handler (npm run package)',
        [node, '-e', IMPORT_SNIPPET(handlerFile, false)],
        `node -e <require ${HANDLER}>`,
        'require ms',
      ),
      timing(
        'require + first invocation (no records)',
        [node, '-e', IMPORT_SNIPPET(handlerFile, true)],
        `node -e <require; handler({Records: []})>`,
        'invoke ms',
      ),
      timing(
        'require the FunctionGraph handler (npm run package:functiongraph)',
        [node, '-e', IMPORT_SNIPPET(fgFile, false)],
        'node -e <require index.js>',
        'require ms',
      ),
      timing(
        'require + first invocation (FunctionGraph, no records)',
        [node, '-e', IMPORT_SNIPPET(fgFile, true)],
        'node -e <require index.js; handler({Records: []})>',
        'invoke ms',
      ),
      timing('fdi-provision --version (bundle)', [node, bundledCli, '--version'], 'node dist/cli/main.js --version'),
      timing(
        'fdi-provision validate (bundle, documented example)',
        [node, bundledCli, 'validate', SMALL_MANIFEST],
        `node dist/cli/main.js validate ${manifest}`,
      ),
      timing(
        'fdi-provision --version (tsc layout, before issue 16)',
        [node, unbundledCli, '--version'],
        'node <tsc output>/cli/main.js --version',
      ),
      timing(
        'fdi-provision validate (tsc layout, before issue 16)',
        [node, unbundledCli, 'validate', SMALL_MANIFEST],
        `node <tsc output>/cli/main.js validate ${manifest}`,
      ),
    ];
    await measure(timings, runs, hyperfine, work);
    const base = median(timings[0].wall);
    printSection(
      `Start-up: median of ${runs} fresh processes`,
      table(
        ['what', 'median ms', 'p90 ms', 'min ms', 'above node -e 0', 'min above min', 'measured inside'],
        timings.map((t) => [
          t.label,
          fmt(median(t.wall), 0),
          fmt(percentile(t.wall, 90), 0),
          fmt(Math.min(...t.wall), 0),
          t === timings[0] ? '–' : above(median(t.wall), base),
          t === timings[0] ? '–' : above(Math.min(...t.wall), Math.min(...timings[0].wall)),
          t.inner?.length ? `${t.innerLabel}: ${fmt(median(t.inner), 0)}` : '–',
        ]),
      ),
      [
        '"min above min": the fastest run of each against the fastest node -e 0, the better estimate on a busy machine (the load average is printed at the start and end).',
        `wall = spawn to exit, measured by ${hyperfine ? 'hyperfine (-N, 1 warm-up run)' : 'the bench (1 warm-up run, not counted; the commands take turns round by round)'}; "measured inside" = performance.now() around require() and around the first handler call in the same process (medians of their own ${runs} runs).`,
        "the first invocation imports the pipeline (lib/trigger, the AWS SDK, got, pino: nothing of it is evaluated at load) and builds the handler's dependencies (configuration, S3 client, logger), once per cold start; an event with no records sends nothing.",
        `targets (issue 16): validate and the handler's load each ≤ 150 ms above node -e 0. Commands: ${timings.map((t) => `\`${t.shown}\``).join(', ')}.`,
      ],
    );

    // What a user types: npx and npm run start npm (a node process of their own) before the CLI.
    const launchers: Timing[] = [
      timing('node -e 0', [node, '-e', '0'], 'node -e 0'),
      timing('fdi-provision --version (global install / npm link)', [node, CLI, '--version'], 'fdi-provision'),
      timing('npm run fdi -- --version', ['npm', 'run', '--silent', 'fdi', '--', '--version'], 'npm run fdi --'),
      timing('npx fdi-provision --version', ['npx', '--no-install', 'fdi-provision', '--version'], 'npx fdi-provision'),
    ];
    await measure(launchers, launcherRuns, hyperfine, work);
    const cli = median(launchers[1].wall);
    printSection(
      `How the CLI is started: median of ${launcherRuns} fresh processes, from the repository`,
      table(
        ['command', 'median ms', 'min ms', 'above the CLI itself'],
        launchers.map((t) => [
          t.label,
          fmt(median(t.wall), 0),
          fmt(Math.min(...t.wall), 0),
          t === launchers[0] ? '–' : t === launchers[1] ? '–' : above(median(t.wall), cli),
        ]),
      ),
      [
        'a global install (`npm install -g .`) or `npm link` puts `fdi-provision` on the PATH as a link to dist/cli/main.js: its shebang runs node on the bundle, as `node dist/cli/main.js` here.',
        '`npx --no-install` and `npm run` start npm itself (its own node process, configuration, lookups) before the CLI.',
      ],
    );
  } finally {
    await rm(work, { recursive: true, force: true });
    await rm(bundleDir, { recursive: true, force: true });
  }
}

const above = (ms: number, base: number): string => `${ms >= base ? '+' : '−'}${fmt(Math.abs(ms - base), 0)} ms`;

/** Unpacks the Lambda zip, prints its sizes, and returns the handler file. */
async function unpackLambda(dir: string): Promise<string> {
  const zip = new AdmZip(ZIP);
  const entries = zip.getEntries();
  const handlerEntry = entries.find((e) => e.entryName === HANDLER);
  if (!handlerEntry) throw new Error(`${HANDLER} is not in ${ZIP}`);
  zip.extractAllTo(path.join(dir, 'lambda'), true);
  const unpacked = entries.reduce((a, e) => a + e.header.size, 0);
  const fg = new AdmZip(FG_ZIP).getEntries();
  printSection(
    'Function bundles',
    table(
      ['file', 'size'],
      [
        [path.relative(ROOT, ZIP), bytes(statSync(ZIP).size)],
        ['  unpacked, all files', bytes(unpacked)],
        [`  ${HANDLER}`, bytes(handlerEntry.header.size)],
        ...entries.filter((e) => e !== handlerEntry).map((e): Cell[] => [`  ${e.entryName}`, bytes(e.header.size)]),
        [path.relative(ROOT, FG_ZIP), bytes(statSync(FG_ZIP).size)],
        ...fg.map((e): Cell[] => [`  ${e.entryName}`, bytes(e.header.size)]),
      ],
    ),
    [
      `the Lambda bundle is built by npm run package (serverless.yml's esbuild settings); zip from ${statSync(ZIP).mtime.toISOString()}.`,
      'the FunctionGraph bundle by npm run package:functiongraph (minified, source map outside the zip).',
    ],
  );
  return path.join(dir, 'lambda', HANDLER);
}

/** The CLI as tsc emits it (one module per source file), in `dir`, with the repository's package.json and node_modules. */
async function compileUnbundled(dir: string): Promise<string> {
  const root = path.join(dir, 'tsc');
  const tsc = spawnSync(
    process.execPath,
    [
      path.join(ROOT, 'node_modules/typescript/bin/tsc'),
      '-p',
      path.join(ROOT, 'tsconfig.build.json'),
      '--outDir',
      path.join(root, 'dist'),
      '--tsBuildInfoFile',
      path.join(root, 'tsbuildinfo'),
    ],
    { cwd: ROOT, stdio: 'ignore' },
  );
  // Type errors do not stop tsc from emitting; only the layout matters here.
  const main = path.join(root, 'dist/cli/main.js');
  if (!existsSync(main)) throw new Error(`tsc emitted no ${main} (exit ${tsc.status})`);
  for (const f of ['package.json', 'node_modules', 'manifests']) await symlink(path.join(ROOT, f), path.join(root, f));
  return main;
}

function printCliSizes(metafile: { outputs: Record<string, { bytes: number }> }, dir: string): void {
  const outputs = Object.entries(metafile.outputs).filter(([f]) => f.endsWith('.js'));
  const entry = outputs.find(([f]) => f.endsWith('/main.js'));
  const total = outputs.reduce((a, [, o]) => a + o.bytes, 0);
  printSection(
    'The CLI bundle (npm run build → dist/cli/)',
    table(
      ['file', 'size'],
      [
        ['main.js (the entry: commander, the program)', bytes(entry?.[1].bytes ?? 0)],
        [`all ${outputs.length} files (the entry and the lazy chunks)`, bytes(total)],
      ],
    ),
    [`built from the current sources into ${path.relative(ROOT, dir)} for this run; source maps beside each file.`],
  );
}

/** Runs every timing `runs` times, taking turns (or hyperfine); fills wall and inner. */
async function measure(timings: Timing[], runs: number, hyperfine: boolean, dir: string): Promise<void> {
  if (hyperfine) await viaHyperfine(timings, runs, dir);
  // Our own loop: every wall figure without hyperfine, and always the in-process figures. The
  // commands take turns, round by round, so a change in the machine's load hits them all alike.
  const ours = timings.filter((t) => !hyperfine || t.inner);
  log(`${ours.length} commands × ${runs} rounds, interleaved …`);
  const env = benchEnv();
  const run = (t: Timing) => runProcess(t.argv[0], t.argv.slice(1), { env });
  for (const t of ours) await run(t); // warms the file cache; not counted
  for (let i = 0; i < runs; i++) {
    for (const t of ours) {
      const proc = await run(t);
      if (proc.code !== 0) throw new Error(`${t.label} failed (exit ${proc.code}): ${proc.stderr.slice(-1000)}`);
      if (!hyperfine) t.wall.push(proc.wallMs);
      if (t.inner) {
        const o = JSON.parse(proc.stdout) as { load: number; invoke?: number };
        t.inner.push(t.innerLabel === 'invoke ms' ? (o.invoke ?? 0) : o.load);
      }
    }
  }
}

/** hyperfine runs the wall-clock measurements (warm-up 1, no shell). */
async function viaHyperfine(timings: Timing[], runs: number, dir: string): Promise<void> {
  const { readFile } = await import('node:fs/promises');
  const out = path.join(dir, 'hyperfine.json');
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const commands = timings.map((t) => t.argv.map(quote).join(' '));
  const r = spawnSync('hyperfine', ['--warmup', '1', '--runs', String(runs), '--export-json', out, '-N', ...commands], {
    cwd: ROOT,
    env: benchEnv(),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (r.status !== 0) throw new Error('hyperfine failed');
  const json = JSON.parse(await readFile(out, 'utf8')) as { results: { times: number[] }[] };
  json.results.forEach((res, i) => {
    timings[i].wall = res.times.map((s) => s * 1000);
  });
}

await main();
process.stdout.write(`\n${endLines()}\n`);
