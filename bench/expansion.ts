/**
 * bench:expansion — the cost of validating and rendering manifests of tasks the size of the documented
 * example (1,000 / 10,000 / 50,000 of them), each size in a fresh process: time per task, peak RSS and
 * rendered bytes. Then the CLI on the same manifests, and a full `apply` against the emulator.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { applyManifest } from './common/apply.js';
import { benchArgs } from './common/args.js';
import { startBenchEmulator } from './common/emulator.js';
import { bytes, fmt, log, printSection, ratio, table, type Cell } from './common/format.js';
import { endLines, printHeader } from './common/machine.js';
import { documentedMatrixManifest, instanceIds } from './common/manifests.js';
import { ROOT, requireBuild, rssMethod, runCli, runProcess } from './common/proc.js';

const args = benchArgs('npm run bench:expansion [-- --quick] [-- --sizes 1000,10000,50000 --apply 1000,10000]', {
  sizes: { full: '1000,10000,50000', quick: '1000,5000', help: 'task counts to validate and render' },
  apply: { full: '1000,10000', quick: '1000', help: 'task counts to apply against the emulator' },
  heap: {
    full: '',
    help: 'extra apply runs with node --max-old-space-size=MB or another node flag, comma-separated (e.g. 128,64,--max-semi-space-size=4)',
  },
});

/** CLI bound on expanded tasks (lib/manifest/limits.ts); the CLI has no flag to raise it. */
const CLI_MAX_TASKS = 10_000;
const TARGET_US_PER_TASK = 100;
const TARGET_APPLY_RSS_MB = 256;

/**
 * The measured process: compileManifest (parse, schema, render and check every task once) with a raised
 * task bound, then the render stream (every create-request body serialised and counted, not kept).
 * Plain JavaScript on the compiled library, so no TypeScript loader sits in the measured memory.
 */
const CHILD = (lib: string) => `
import { readFileSync } from 'node:fs';
import { compileManifest, toCreateRequest, unresolvedId } from ${JSON.stringify(lib)};
const [file, maxTasks] = process.argv.slice(1);
const text = readFileSync(file);
const t0 = performance.now();
const { manifest, problems } = compileManifest(text, file, { maxTasks: Number(maxTasks) });
const t1 = performance.now();
if (!manifest) { console.error(JSON.stringify(problems.slice(0, 3))); process.exit(2); }
let count = 0, rendered = 0, detail = 0;
for (const task of manifest.tasks()) {
  const body = toCreateRequest(task, { source: unresolvedId(task.source), target: unresolvedId(task.target_ds) });
  rendered += Buffer.byteLength(JSON.stringify(body)) + 1;
  detail += Buffer.byteLength(task.task_detail);
  count += 1;
}
const t2 = performance.now();
console.log(JSON.stringify({ validateMs: t1 - t0, renderMs: t2 - t1, count, rendered, detail, heapUsed: process.memoryUsage().heapUsed }));
`;

interface LibResult {
  validateMs: number;
  renderMs: number;
  count: number;
  rendered: number;
  detail: number;
  heapUsed: number;
}

async function main(): Promise<void> {
  requireBuild();
  const sizes = String(args.sizes)
    .split(',')
    .filter(Boolean)
    .map(Number)
    .filter((n) => n > 0);
  const applySizes = String(args.apply)
    .split(',')
    .filter(Boolean)
    .map(Number)
    .filter((n) => n > 0); // "--apply 0" skips that part
  printHeader('bench:expansion', {
    sizes: sizes.join(','),
    apply: applySizes.join(','),
    rss: rssMethod(),
    quick: args.quick,
  });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-expansion-'));
  try {
    const files = new Map<number, { file: string; size: number }>();
    const manifestFile = async (n: number) => {
      let f = files.get(n);
      if (!f) {
        const text = documentedMatrixManifest(n);
        f = { file: path.join(dir, `documented-x${n}.yaml`), size: Buffer.byteLength(text) };
        await writeFile(f.file, text);
        files.set(n, f);
      }
      return f;
    };
    const lib = pathToFileURL(path.join(ROOT, 'dist/lib/manifest/index.js')).href;
    const child = CHILD(lib);

    // 1. The library in a fresh process per size; a 1-task manifest first, for the baseline memory.
    const libRows: Cell[][] = [];
    const perTask: { n: number; us: number; marginal: number }[] = [];
    let baseRss = 0;
    let baseMs = 0;
    for (const n of [1, ...sizes]) {
      const { file, size } = await manifestFile(n);
      log(`library: ${n} tasks …`);
      const proc = await runProcess(
        process.execPath,
        ['--input-type=module', '-e', child, file, String(Math.max(n, CLI_MAX_TASKS))],
        { rss: true },
      );
      if (proc.code !== 0) throw new Error(`expansion of ${n} failed (exit ${proc.code}): ${proc.stderr.slice(-1000)}`);
      const r = JSON.parse(proc.stdout.trim()) as LibResult;
      const rss = (proc.maxRssKb ?? 0) * 1024;
      const totalMs = r.validateMs + r.renderMs;
      if (n === 1) {
        baseRss = rss;
        baseMs = totalMs;
      }
      const us = (totalMs * 1000) / r.count;
      if (n !== 1) perTask.push({ n, us, marginal: ((totalMs - baseMs) * 1000) / (r.count - 1) });
      libRows.push([
        r.count,
        bytes(size),
        fmt((r.validateMs * 1000) / r.count, 1),
        fmt((r.renderMs * 1000) / r.count, 1),
        fmt(us, 1),
        n === 1 ? '–' : fmt(((totalMs - baseMs) * 1000) / (r.count - 1), 1),
        fmt(totalMs / 1000, 2),
        bytes(r.rendered),
        bytes(rss),
        n === 1 ? '–' : bytes(Math.max(0, rss - baseRss)),
        n === 1 ? '–' : ratio(Math.max(0, rss - baseRss) / r.rendered),
      ]);
    }
    printSection(
      'Validate + render (library, fresh process per size)',
      table(
        [
          'tasks',
          'manifest',
          'validate µs/task',
          'render µs/task',
          'total µs/task',
          'marginal µs/task',
          'total s',
          'rendered bytes',
          'peak RSS',
          'RSS above 1-task run',
          'RSS growth ÷ rendered',
        ],
        libRows,
      ),
      [
        'validate = compileManifest: parse, schema, then every task rendered and checked once (only names are kept); render = the lazy task stream again, each create-request body serialised and counted, then dropped.',
        `tasks: the documented example's task (TIMING, its whole ~5.4 KB detail) as a template, one matrix entry of instance × table; the bound on tasks raised with compileManifest(text, file, { maxTasks }).`,
        'marginal = (total − total of the 1-task run) ÷ (tasks − 1): the cost of one more task, without the one-off cost of the first (module warm-up, JIT, parsing the manifest).',
        `peak RSS via ${rssMethod() === 'gnu-time' ? '/usr/bin/time -f %M' : 'process.resourceUsage().maxRSS'}, of the whole node process; the 1-task run is node plus the loaded modules.`,
      ],
    );

    // 2. The CLI as a user runs it: validate and render (stdout counted by the bench, not stored).
    const cliRows: Cell[][] = [];
    for (const n of sizes) {
      const { file } = await manifestFile(n);
      for (const cmd of ['validate', 'render'] as const) {
        log(`cli ${cmd}: ${n} tasks …`);
        const proc = await runCli([cmd, file, '--quiet'], { rss: true, keepStdout: cmd === 'validate' });
        const rejected = proc.code === 2;
        cliRows.push([
          `fdi-provision ${cmd}`,
          n,
          rejected ? `exit 2 (over the ${CLI_MAX_TASKS.toLocaleString('en-US')}-task bound)` : `exit ${proc.code}`,
          fmt(proc.wallMs / 1000, 2),
          rejected ? '–' : fmt((proc.wallMs * 1000) / n, 1),
          cmd === 'render' && !rejected ? bytes(proc.stdoutBytes) : '–',
          bytes((proc.maxRssKb ?? 0) * 1024),
        ]);
      }
    }
    printSection(
      'The CLI on the same manifests',
      table(['command', 'tasks', 'outcome', 'wall s', 'µs/task (wall)', 'stdout', 'peak RSS'], cliRows),
      [
        `wall includes node start-up and module loading (see bench:coldstart); render writes one JSON line per task to a pipe the bench drains.`,
      ],
    );

    // 3. A full apply against the emulator (no faults, no quota, no latency: the client's own cost).
    const applyRows: Cell[][] = [];
    let applyRss10k: number | undefined;
    const heaps = ['', ...String(args.heap).split(',').filter(Boolean)];
    for (const n of applySizes) {
      for (const heap of heaps) {
        const nodeOptions = !heap ? undefined : heap.startsWith('--') ? heap : `--max-old-space-size=${heap}`;
        const emu = await startBenchEmulator({
          instances: instanceIds(Math.ceil(n / 1000)),
          latencyMs: 0,
          jitterMs: 0,
          faults: {},
          seed: 1,
        });
        try {
          log(`apply: ${n} tasks${nodeOptions ? ` (${nodeOptions})` : ''} …`);
          const { proc, report } = await applyManifest(
            documentedMatrixManifest(n),
            emu.url,
            { rate: 1000, concurrency: 64 },
            { rss: true, nodeOptions },
          );
          const stored = emu.stats().tasksStored;
          const rss = (proc.maxRssKb ?? 0) * 1024;
          if (n === 10_000 && !heap) applyRss10k = rss;
          applyRows.push([
            n,
            nodeOptions ?? 'default',
            report.status,
            stored,
            fmt(proc.wallMs / 1000, 1),
            fmt(n / (proc.wallMs / 1000), 0),
            report.stats.requests,
            bytes(rss),
          ]);
        } finally {
          await emu.close();
        }
      }
    }
    if (applyRows.length) {
      printSection(
        'Full apply against the emulator (fdi-provision apply --rate 1000 --concurrency 64)',
        table(
          ['tasks', 'node heap', 'status', 'tasks stored', 'wall s', 'tasks/s', 'requests', 'peak RSS of the CLI'],
          applyRows,
        ),
        [
          'the emulator runs in the bench process with no latency, faults or quota, so the figures are the client: read, validate, plan, render each task as it is sent, report.',
          'node heap: the default, or a cap on the old generation (NODE_OPTIONS=--max-old-space-size=MB) — a run that still succeeds under a small cap shows that the default peak is garbage V8 had not collected yet, not data the CLI holds.',
        ],
      );
    }
    const judged = perTask.filter((p) => p.n >= 10_000);
    const worst = (judged.length ? judged : perTask).reduce((a, b) => (b.us > a.us ? b : a), {
      n: 0,
      us: 0,
      marginal: 0,
    });
    printSection(
      'Verdict',
      [
        perTask.length === 0
          ? `- ≤ ${TARGET_US_PER_TASK} µs per task: not measured in this run.`
          : `- ≤ ${TARGET_US_PER_TASK} µs per task (validate + render, at ${judged.length ? '10,000 tasks and more' : 'the sizes run'}): ${worst.us <= TARGET_US_PER_TASK ? 'met' : 'not met'} (worst ${fmt(worst.us, 1)} µs/task at ${worst.n.toLocaleString('en-US')} tasks; marginal ${fmt(worst.marginal, 1)} µs).`,
        applyRss10k === undefined
          ? `- ≤ ${TARGET_APPLY_RSS_MB} MB peak at 10,000 tasks through apply: not measured in this run.`
          : `- ≤ ${TARGET_APPLY_RSS_MB} MB peak at 10,000 tasks through apply: ${applyRss10k <= TARGET_APPLY_RSS_MB * 1024 * 1024 ? 'met' : 'not met'} (${bytes(applyRss10k)}).`,
      ].join('\n'),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
process.stdout.write(`\n${endLines()}\n`);
