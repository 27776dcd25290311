/**
 * Manifests the benches generate: a bulk manifest of small tasks spread over instances, and a matrix of
 * tasks the size of the documented example. Plus the exact request bodies of a manifest, for the
 * baselines that POST without the product.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { compileManifest, formatProblem, toCreateRequest } from '../../lib/manifest/index.js';
import { ROOT } from './proc.js';

export const PROJECT = 'local-project';
/** Data source IDs the emulator knows by default (MYSQL and KAFKA of the documented example). */
const SOURCE_ID = '30969b205e8f4392a25fb321112d1753';
const TARGET_ID = 'a87a31a6288e4698865be122ae485dc0';

/** `inst-00`, `inst-01`, … */
export function instanceIds(count: number): string[] {
  return Array.from({ length: count }, (_, k) => `inst-${String(k).padStart(2, '0')}`);
}

/**
 * `n` small REALTIME tasks named `<prefix>-00000…`, dealt round-robin over `instances`. Names have the
 * same length, so no name is a substring of another (the list filter is fuzzy).
 */
export function bulkManifest(n: number, instances: string[], prefix = 'bench'): string {
  const lines = [
    'version: 1',
    `target: { project_id: ${PROJECT} }`,
    'templates:',
    '  t:',
    '    task_type: REALTIME',
    `    source_datasource: ${SOURCE_ID}`,
    `    target_datasource: ${TARGET_ID}`,
    '    detail:',
    '      targetSelectedDatasource: { targetTable: "CDC.T_${n}" }',
    'tasks:',
  ];
  instances.forEach((inst, k) => {
    const ids: string[] = [];
    for (let i = k; i < n; i += instances.length) ids.push(`"${String(i).padStart(5, '0')}"`);
    if (ids.length === 0) return;
    lines.push(
      `  - name: "${prefix}-\${n}"`,
      '    template: t',
      `    target: { instance_id: ${inst} }`,
      `    matrix: { n: [${ids.join(', ')}] }`,
    );
  });
  return `${lines.join('\n')}\n`;
}

/** The names of bulkManifest(n, …, prefix)'s tasks, in order. */
export function bulkNames(n: number, prefix = 'bench'): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(5, '0')}`);
}

/**
 * `n` tasks each the size of the documented example (its whole detail, ~5.4 KB of task_detail), as one
 * matrix entry: instance × table, at most `perInstance` tasks per instance (the FDI quota is 1,000).
 */
export function documentedMatrixManifest(n: number, perInstance = 1000): string {
  const doc = parse(readFileSync(path.join(ROOT, 'manifests/examples/documented-example.yaml'), 'utf8')) as {
    vars: Record<string, unknown>;
    tasks: Array<Record<string, unknown>>;
  };
  const { name: _name, vars: _vars, ...template } = doc.tasks[0];
  const instances = Math.max(1, Math.ceil(n / perInstance));
  if (n % instances !== 0) throw new Error(`${n} tasks do not spread evenly over ${instances} instances`);
  const tables = n / instances;
  const manifest = {
    version: 1,
    target: { project_id: PROJECT },
    vars: doc.vars,
    templates: { documented: template },
    tasks: [
      {
        name: 'fdi-${inst}-${table}',
        template: 'documented',
        target: { instance_id: 'inst-${inst}' },
        matrix: {
          inst: Array.from({ length: instances }, (_, k) => String(k).padStart(2, '0')),
          table: Array.from({ length: tables }, (_, k) => `T${String(k).padStart(4, '0')}`),
        },
      },
    ],
  };
  return stringify(manifest, { lineWidth: 0 });
}

/** One create request of a manifest: the URL path's instance and the exact body the product would send. */
export interface CreateCall {
  instance: string;
  name: string;
  body: string;
}

/** Compiles a manifest (whose data sources are IDs) and returns every create request, in task order. */
export function createCalls(text: string, maxTasks = 10_000): CreateCall[] {
  const { manifest, problems } = compileManifest(text, 'bench.yaml', { maxTasks });
  if (!manifest) throw new Error(`bench manifest invalid:\n${problems.map(formatProblem).join('\n')}`);
  const calls: CreateCall[] = [];
  for (const task of manifest.tasks()) {
    if (!('id' in task.source) || !('id' in task.target_ds)) throw new Error('bench manifests give data sources by ID');
    const body = toCreateRequest(task, { source: task.source.id, target: task.target_ds.id });
    calls.push({ instance: task.target.instance_id ?? 'local-instance', name: task.name, body: JSON.stringify(body) });
  }
  return calls;
}

/** The create URL of an instance on an emulator. */
export function createUrl(base: string, instance: string): string {
  return `${base}/v2/${PROJECT}/fdi/instances/${instance}/tasks`;
}
