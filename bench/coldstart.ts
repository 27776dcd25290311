/**
 * bench:coldstart — what every run pays before its first request: the size of the Lambda bundle and the
 * time to load it in a fresh node process, and the start-up time of the CLI (`--version`, and
 * `validate` of the documented example). Medians over fresh processes (hyperfine when installed).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import AdmZip from 'adm-zip';
import { benchArgs } from './common/args.js';
import { bytes, fmt, log, median, percentile, printSection, table, type Cell } from './common/format.js';
import { endLines, printHeader } from './common/machine.js';
import { CLI, ROOT, benchEnv, requireBuild, runProcess } from './common/proc.js';

const args = benchArgs('npm run bench:coldstart [-- --quick] [-- --runs 30]', {
  runs: { full: 30, quick: 5, help: 'fresh processes per measurement' },
  package: {
    full: 'if-missing',
    help: '"always" rebuilds the bundle with npm run package first (it may be older than the code)',
  },
});

const ZIP = path.join(ROOT, '.serverless/fdi-provisioner.zip');
const HANDLER = 'handlers/manifest-uploaded.cjs';
const SMALL_MANIFEST = path.join(ROOT, 'manifests/examples/documented-example.yaml');

/** Loads the bundle and, optionally, calls the handler once with an event of no records (builds its dependencies). */
const IMPORT_SNIPPET = (file: string, invoke: boolean) => `
const t0 = performance.now();
const mod = require(${JSON.stringify(file)});
const t1 = performance.now();
${invoke ? `mod.handler({ Records: [] }, { getRemainingTimeInMillis: () => 900000 }).then(() => { process.stdout.write(JSON.stringify({ load: t1 - t0, invoke: performance.now() - t1 })); });` : 'process.stdout.write(JSON.stringify({ load: t1 - t0 }));'}
`;

interface Timing {
  label: string;
  command: string;
  wall: number[];
  inner?: number[];
  innerLabel?: string;
}

async function main(): Promise<void> {
  requireBuild();
  const runs = Math.max(1, args.runs);
  const hyperfine = spawnSync('hyperfine', ['--version'], { stdio: 'ignore' }).status === 0;
  printHeader('bench:coldstart', {
    runs,
    timer: hyperfine ? 'hyperfine' : 'own loop (hyperfine not installed)',
    quick: args.quick,
  });

  if (!existsSync(ZIP) || args.package === 'always') {
    log(`${existsSync(ZIP) ? 'rebuilding the bundle' : 'the bundle is missing'}: npm run package …`);
    const r = spawnSync('npm', ['run', 'package'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0 || !existsSync(ZIP)) throw new Error('npm run package failed');
  }
  const zip = new AdmZip(ZIP);
  const entries = zip.getEntries();
  const handlerEntry = entries.find((e) => e.entryName === HANDLER);
  if (!handlerEntry) throw new Error(`${HANDLER} is not in ${ZIP}`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-coldstart-'));
  try {
    zip.extractAllTo(dir, true);
    const handlerFile = path.join(dir, HANDLER);
    const unpacked = entries.reduce((a, e) => a + e.header.size, 0);
    printSection(
      'Lambda bundle',
      table(
        ['file', 'size'],
        [
          [path.relative(ROOT, ZIP), bytes(statSync(ZIP).size)],
          ['  unpacked, all files', bytes(unpacked)],
          [`  ${HANDLER}`, bytes(handlerEntry.header.size)],
          ...entries.filter((e) => e !== handlerEntry).map((e): Cell[] => [`  ${e.entryName}`, bytes(e.header.size)]),
        ],
      ),
      [
        `built by npm run package (esbuild, CommonJS, not minified, with a source map)${statSync(ZIP).mtime ? `; zip from ${statSync(ZIP).mtime.toISOString()}` : ''}.`,
      ],
    );

    const node = process.execPath;
    const env = benchEnv();
    const timings: Timing[] = [
      { label: 'node -e 0 (node itself, for reference)', command: `${node} -e 0`, wall: [] },
      {
        label: 'require the bundled handler',
        command: `${node} -e <require ${HANDLER}>`,
        wall: [],
        inner: [],
        innerLabel: 'require ms',
      },
      {
        label: 'require + first invocation (no records)',
        command: `${node} -e <require; handler({Records: []})>`,
        wall: [],
        inner: [],
        innerLabel: 'invoke ms',
      },
      { label: 'fdi-provision --version', command: `${node} dist/cli/main.js --version`, wall: [] },
      {
        label: 'fdi-provision validate (documented example)',
        command: `${node} dist/cli/main.js validate ${path.relative(ROOT, SMALL_MANIFEST)}`,
        wall: [],
      },
    ];
    const argvOf = (t: Timing): string[] => {
      if (t.label.startsWith('node -e')) return ['-e', '0'];
      if (t.label.startsWith('require the')) return ['-e', IMPORT_SNIPPET(handlerFile, false)];
      if (t.label.startsWith('require +')) return ['-e', IMPORT_SNIPPET(handlerFile, true)];
      if (t.label.includes('--version')) return [CLI, '--version'];
      return [CLI, 'validate', SMALL_MANIFEST];
    };
    if (hyperfine) await viaHyperfine(timings, argvOf, runs, dir);
    // Our own loop: every wall figure without hyperfine, and always the in-process figures. The
    // commands take turns, round by round, so a change in the machine's load hits them all alike.
    const ours = timings.filter((t) => !hyperfine || t.inner);
    log(`${ours.length} commands × ${runs} rounds, interleaved …`);
    for (const t of ours) await runProcess(node, argvOf(t), { env }); // warms the file cache; not counted
    for (let i = 0; i < runs; i++) {
      for (const t of ours) {
        const proc = await runProcess(node, argvOf(t), { env });
        if (proc.code !== 0) throw new Error(`${t.label} failed (exit ${proc.code}): ${proc.stderr.slice(-1000)}`);
        if (!hyperfine) t.wall.push(proc.wallMs);
        if (t.inner) {
          const o = JSON.parse(proc.stdout) as { load: number; invoke?: number };
          t.inner.push(t.innerLabel === 'invoke ms' ? (o.invoke ?? 0) : o.load);
        }
      }
    }
    const base = median(timings[0].wall);
    printSection(
      `Start-up: median of ${runs} fresh processes`,
      table(
        ['what', 'median ms', 'p90 ms', 'min ms', 'above node -e 0', 'measured inside'],
        timings.map((t) => [
          t.label,
          fmt(median(t.wall), 0),
          fmt(percentile(t.wall, 90), 0),
          fmt(Math.min(...t.wall), 0),
          t === timings[0] ? '–' : `${median(t.wall) >= base ? '+' : '−'}${fmt(Math.abs(median(t.wall) - base), 0)} ms`,
          t.inner?.length ? `${t.innerLabel}: ${fmt(median(t.inner), 0)}` : '–',
        ]),
      ),
      [
        `wall = spawn to exit, measured by ${hyperfine ? 'hyperfine (-N, 1 warm-up run)' : 'the bench (1 warm-up run, not counted; the commands take turns round by round)'}; "measured inside" = performance.now() around require() and around the first handler call in the same process (medians of their own ${runs} runs).`,
        "the first invocation builds the handler's dependencies (configuration, S3 client, logger) once per cold start; an event with no records sends nothing.",
      ],
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** hyperfine runs the wall-clock measurements (warm-up 1, no shell). */
async function viaHyperfine(
  timings: Timing[],
  argvOf: (t: Timing) => string[],
  runs: number,
  dir: string,
): Promise<void> {
  const { readFile } = await import('node:fs/promises');
  const out = path.join(dir, 'hyperfine.json');
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const commands = timings.map((t) => [process.execPath, ...argvOf(t)].map(quote).join(' '));
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
