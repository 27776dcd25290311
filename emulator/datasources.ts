/**
 * The data sources the emulator knows: the seeded examples and the parser of a `--datasources` file.
 * Every instance of every project has the same data sources.
 */
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import type { DataSource } from '../lib/fdi/model/api.js';

/** App ID of the documented example request (create-common-task.example.json). */
const EXAMPLE_APP_ID = '73965e3c-72b2-40c3-8335-2154ebd6c23a';
const SEED_TIME = Date.UTC(2024, 0, 1);

function ds(datasource_id: string, datasource_name: string, datasource_type: string, description: string): DataSource {
  return {
    datasource_id,
    datasource_name,
    datasource_type,
    app_id: EXAMPLE_APP_ID,
    app_name: 'local-app',
    description,
    create_time: SEED_TIME,
    update_time: SEED_TIME,
  };
}

/**
 * Seeded when none are given: every data source ID of the documented example request, plus named
 * ones for manifests. `crm-api` is a substring of `crm-api-v2` on purpose, so that resolving a name
 * through the fuzzy `name` filter without an exact comparison picks the wrong one.
 */
export const DEFAULT_DATASOURCES: readonly DataSource[] = [
  ds(
    '30969b205e8f4392a25fb321112d1753',
    'fdi-autotest-mysql',
    'MYSQL',
    'source and target of the documented example request',
  ),
  ds('79c4caaa3e1441dfb0351038fcf5f281', 'fdi-error-obs', 'OBS', 'error_handler of the documented example request'),
  ds(
    'a87a31a6288e4698865be122ae485dc0',
    'fdi-after-kafka',
    'KAFKA',
    'afterImplementation of the documented example request',
  ),
  ds('6f1c2a0e9b8d4c3ea1f2b3c4d5e6f7a8', 'crm-api', 'API', 'CRM REST API'),
  ds('0d7e4b1a2c3f4e5d8a9b0c1d2e3f4a5b', 'crm-api-v2', 'API', 'CRM REST API, version 2 (its name contains "crm-api")'),
  ds('b2e8c0d14f6a4e7b9c3d5e7f9a1b3c5d', 'oracle-cdc', 'ORACLE', 'Oracle target of the CDC examples'),
  ds('c3f9d1e25a7b4f8c8d4e6f8a0b2c4d6e', 'mysql-orders', 'MYSQL', 'orders database'),
];

const dataSourceSchema = z.strictObject({
  datasource_id: z.string().min(1).max(64),
  datasource_name: z.string().min(1).max(255),
  datasource_type: z.string().min(1),
  app_id: z.string().min(1),
  app_name: z.string().min(1).optional(),
  instance_id: z.string().min(1).optional(),
  description: z.string().optional(),
  create_time: z.number().int().nonnegative().optional(),
  update_time: z.number().int().nonnegative().optional(),
});

const dataSourcesSchema = z.array(dataSourceSchema).min(1);

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');
}

/**
 * Parses a YAML or JSON array of data sources (JSON is YAML). Throws an Error naming the source and
 * every problem with its array index and field.
 */
export function parseDataSources(text: string, sourceName: string): DataSource[] {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new Error(`${sourceName}: not valid YAML or JSON: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
  const result = dataSourcesSchema.safeParse(doc);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${formatPath(i.path) || '(document)'}: ${i.message}`);
    throw new Error(
      `${sourceName}: expected a non-empty array of {datasource_id, datasource_name, datasource_type, app_id}: ${problems.join('; ')}`,
    );
  }
  const seen = new Set<string>();
  for (const d of result.data) {
    if (seen.has(d.datasource_id)) throw new Error(`${sourceName}: data source ID ${d.datasource_id} appears twice`);
    seen.add(d.datasource_id);
  }
  return result.data.map((d) => ({ create_time: SEED_TIME, update_time: SEED_TIME, ...d }));
}
