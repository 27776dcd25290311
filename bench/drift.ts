/**
 * bench:drift — what re-applying an unchanged wave under `on_exists: update` costs when FDI answers
 * task_detail in its response form (docs/DRIFT.md): with the record of the last applies, after losing
 * it, and after one template variable changes for a tenth of the tasks. Requests counted at the
 * emulator; wall time of the compiled CLI. See docs/PERFORMANCE.md.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { benchArgs } from './common/args.js';
import { fmt, log, printSection, ratio, secs, table } from './common/format.js';
import { endLines, printHeader } from './common/machine.js';
import { bulkManifest, instanceIds } from './common/manifests.js';
import { benchEnv, requireBuild, runCli } from './common/proc.js';

const args = benchArgs('npm run bench:drift [-- --quick] [-- --n 2000 --rate 200 …]', {
  n: { full: 2000, quick: 200, help: 'tasks in the wave' },
  instances: { full: 2, quick: 1, help: 'instances the tasks are spread over (an instance holds 1,000 tasks)' },
  rate: { full: 200, help: 'client --rate, requests/s' },
  latency: { full: 15, help: 'server latency, ms' },
});

/** Requests per route so far. */
function totals(emu: Emulator): Record<string, number> {
  return Object.fromEntries(
    Object.entries(emu.stats().requests).map(([route, byStatus]) => [
      route,
      Object.values(byStatus).reduce((a, b) => a + b, 0),
    ]),
  );
}

/**
 * `n` tasks under `on_exists: update`; the first tenth of them render `schema` into their detail, the
 * rest `CDC`, so changing `schema` changes exactly that tenth.
 */
function waveManifest(n: number, instances: string[], schema: string): string {
  const tenth = Math.ceil(n / 10);
  const head = bulkManifest(0, instances).replace('tasks:\n', 'options: { on_exists: update }\ntasks:\n');
  const lines = [head.replace('"CDC.T_${n}"', '"${schema}.T_${n}"').trimEnd()];
  instances.forEach((inst, k) => {
    const ids = { first: [] as string[], rest: [] as string[] };
    for (let i = k; i < n; i += instances.length)
      (i < tenth ? ids.first : ids.rest).push(`"${String(i).padStart(5, '0')}"`);
    for (const [part, list, value] of [
      ['a', ids.first, schema],
      ['b', ids.rest, 'CDC'],
    ] as const) {
      if (!list.length) continue;
      lines.push(
        `  - name: "drift-${part}-\${n}"`,
        '    template: t',
        `    target: { instance_id: ${inst} }`,
        `    vars: { schema: ${value} }`,
        `    matrix: { n: [${list.join(', ')}] }`,
      );
    }
  });
  return `${lines.join('\n')}\n`;
}

interface Step {
  label: string;
  wallMs: number;
  reads: number;
  puts: number;
  requests: number;
}

async function main(): Promise<void> {
  requireBuild();
  const instances = instanceIds(args.instances);
  printHeader('bench:drift', {
    n: args.n,
    instances: instances.length,
    rate: args.rate,
    latency: `${args.latency} ms`,
  });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-drift-'));
  const emu = await startEmulator({ instances, latencyMs: args.latency, detailForm: 'response' });
  const state = path.join(dir, 'state');
  const file = path.join(dir, 'wave.yaml');
  const wave = (schema: string) => waveManifest(args.n, instances, schema);
  const steps: Step[] = [];
  const step = async (label: string, text: string) => {
    await writeFile(file, text);
    const before = totals(emu);
    const proc = await runCli(
      ['apply', file, '--rate', String(args.rate), '--report', path.join(dir, 'reports'), '--state', state, '--quiet'],
      { env: benchEnv({ FDI_ENDPOINT: emu.url, FDI_AUTH_TOKEN: 'local-token' }) },
    );
    if (proc.code !== 0) throw new Error(`${label}: exit ${proc.code}\n${proc.stderr.slice(-2000)}`);
    const after = totals(emu);
    const delta = (route: string) => (after[route] ?? 0) - (before[route] ?? 0);
    const requests = Object.keys(after).reduce((n, r) => n + delta(r), 0);
    steps.push({
      label,
      wallMs: proc.wallMs,
      reads: delta('GET /tasks/{task_id}'),
      puts: delta('PUT /tasks/{task_id}'),
      requests,
    });
    log(`${label}: ${secs(proc.wallMs)}`);
  };
  try {
    await step('create the wave', wave('SCHEMA'));
    await step('re-apply, unchanged (record)', wave('SCHEMA'));
    await step('a variable changes for 1/10', wave('SCHEMA2'));
    await rm(state, { recursive: true, force: true });
    await step('re-apply, record lost', wave('SCHEMA2'));
    await step('re-apply, unchanged again', wave('SCHEMA2'));
  } finally {
    await emu.close();
    await rm(dir, { recursive: true, force: true });
  }
  const quiet = steps[1]!;
  const lost = steps[3]!;
  printSection(
    `${args.n} tasks, on_exists: update, details answered in response form`,
    table(
      ['step', 'wall', 'requests', 'task reads', 'task PUTs'],
      steps.map((s) => [s.label, secs(s.wallMs), fmt(s.requests), fmt(s.reads), fmt(s.puts)]),
    ),
    [
      `unchanged re-apply with the record vs. without it: ${ratio(lost.wallMs / quiet.wallMs)}× the time, ` +
        `${fmt(lost.requests - quiet.requests)} requests more`,
      'Without the record (before issue 12) every unchanged re-apply cost what "record lost" costs now.',
    ],
  );
  console.log(endLines());
}

await main();
