/**
 * Where the records of this product's last applies live (lib/plan/applied.ts, docs/DRIFT.md): one
 * JSON object per FDI endpoint and instance,
 *
 *   <prefix>applied/<endpoint host>/<project_id>/<instance_id>.json
 *
 * in the run's store: the bucket's state prefix for the function, `--state <dir|s3://bucket/prefix>`
 * (or FDI_STATE; default `./.fdi-state`) on the command line. A record that cannot be read or written
 * is a warning, never a failed run: without it planning reads more and may write once more.
 */
import type { Config } from '../config.js';
import { targetKey, type AppliedTask, type AppliedTasks, type Target } from '../types.js';
import { joinKey, ObjectTooLargeError, type ObjectStore } from './object-store.js';
import { storeAt } from './store-at.js';

/** Far above 1,000 records of ~250 bytes (the instance quota): anything larger is not ours. */
const MAX_RECORD_BYTES = 8 * 1024 * 1024;

const FORMAT_VERSION = 1;

/** The records of some targets, and what went wrong reading or writing them (warnings). */
export interface AppliedStore {
  /** Where the records are, for messages. */
  readonly location: string;
  load(targets: readonly Target[]): Promise<{ records: Map<string, AppliedTasks>; warnings: string[] }>;
  /** Adds `changes` (per target key, by task name) to what is stored now, and writes them. */
  save(changes: ReadonlyMap<string, { target: Target; tasks: ReadonlyMap<string, AppliedTask> }>): Promise<string[]>;
}

export function appliedStore(store: ObjectStore, prefix: string, endpoint: string | undefined): AppliedStore {
  const host = endpointHost(endpoint);
  const keyOf = (t: Target) =>
    `${joinKey(prefix, 'applied', host, encodeURIComponent(t.project_id), encodeURIComponent(t.instance_id))}.json`;
  const where = (t: Target) => `${store.location.replace(/\/+$/, '')}/${keyOf(t)}`;

  async function read(target: Target): Promise<Map<string, AppliedTask>> {
    const obj = await store.get(keyOf(target), MAX_RECORD_BYTES);
    if (!obj) return new Map();
    return parseRecords(new TextDecoder().decode(obj.body));
  }

  return {
    location: joinKey(store.location, prefix, 'applied'),
    async load(targets) {
      const records = new Map<string, AppliedTasks>();
      const warnings: string[] = [];
      await Promise.all(
        targets.map(async (t) => {
          try {
            records.set(targetKey(t), await read(t));
          } catch (err) {
            warnings.push(
              `the record of the last applies at ${where(t)} could not be read (${why(err)}); its tasks are read from FDI instead`,
            );
          }
        }),
      );
      return { records, warnings };
    },
    async save(changes) {
      const warnings: string[] = [];
      for (const { target, tasks } of changes.values()) {
        if (!tasks.size) continue;
        try {
          // Read again just before writing: another run may have added records since this one loaded.
          const now = await read(target).catch(() => new Map<string, AppliedTask>());
          for (const [name, record] of tasks) now.set(name, record);
          const body = {
            version: FORMAT_VERSION,
            endpoint: host,
            project_id: target.project_id,
            instance_id: target.instance_id,
            tasks: Object.fromEntries([...now].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
          };
          await store.put(keyOf(target), `${JSON.stringify(body)}\n`, 'application/json');
        } catch (err) {
          warnings.push(
            `the record of the last applies at ${where(target)} could not be written (${why(err)}); the next run reads these tasks from FDI`,
          );
        }
      }
      return warnings;
    },
  };
}

/** The default of `--state` (and FDI_STATE) on the command line: a folder in the current directory. */
export const DEFAULT_LOCAL_STATE = '.fdi-state';

/**
 * The records under `uri`, a folder or `s3://bucket/prefix` (the command line's `--state`). The store
 * is opened on first use, so a run that never plans an update does not load the AWS SDK; failing to
 * open it is a warning, as any other failure of the records.
 */
export function appliedStoreAt(uri: string, config: Pick<Config, 's3' | 'endpoint'>): AppliedStore {
  let opened: Promise<AppliedStore> | undefined;
  const open = () =>
    (opened ??= storeAt(uri, config.s3).then(({ store, prefix }) => appliedStore(store, prefix, config.endpoint)));
  return {
    location: uri,
    async load(targets) {
      try {
        return await (await open()).load(targets);
      } catch (err) {
        return {
          records: new Map(),
          warnings: [`the records of the last applies at ${uri} could not be opened (${why(err)})`],
        };
      }
    },
    async save(changes) {
      try {
        return await (await open()).save(changes);
      } catch (err) {
        return [`the records of the last applies at ${uri} could not be opened (${why(err)})`];
      }
    },
  };
}

/** The endpoint's host as a key segment: records of one FDI never meet another's. */
function endpointHost(endpoint: string | undefined): string {
  try {
    return encodeURIComponent(new URL(endpoint ?? '').host || 'default');
  } catch {
    return 'default';
  }
}

/** The records of a stored object; a record without its fields is left out. */
function parseRecords(text: string): Map<string, AppliedTask> {
  const doc = JSON.parse(text) as { version?: unknown; tasks?: unknown };
  if (doc?.version !== FORMAT_VERSION || typeof doc.tasks !== 'object' || doc.tasks === null)
    throw new Error(`not a version ${FORMAT_VERSION} record`);
  const out = new Map<string, AppliedTask>();
  for (const [name, r] of Object.entries(doc.tasks as Record<string, Partial<AppliedTask>>)) {
    if (typeof r?.task_id !== 'string' || typeof r.request !== 'string' || typeof r.shown !== 'string') continue;
    out.set(name, {
      task_id: r.task_id,
      request: r.request,
      shown: r.shown,
      modified: typeof r.modified === 'number' ? r.modified : undefined,
      at: typeof r.at === 'string' ? r.at : '',
    });
  }
  return out;
}

function why(err: unknown): string {
  if (err instanceof ObjectTooLargeError) return `${err.size} bytes, over ${err.maxBytes}`;
  if (err instanceof SyntaxError) return 'not JSON';
  return err instanceof Error ? err.message : String(err);
}
