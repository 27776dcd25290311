/** An `ObjectStore` over a local folder (CLI reports and state). Writes are atomic (temp file + rename). */
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';
import { ObjectTooLargeError, type ObjectStore, type StoredObject } from './object-store.js';

export function localStore(root: string): ObjectStore {
  const resolve = (key: string) => {
    const p = path.resolve(root, key);
    if (!p.startsWith(path.resolve(root) + path.sep) && p !== path.resolve(root))
      throw new UserError(`key "${key}" leaves the folder ${root}`);
    return p;
  };
  return {
    location: root,
    async put(key, body) {
      const file = resolve(key);
      await mkdir(path.dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
      await writeFile(tmp, body);
      await rename(tmp, file);
    },
    async get(key, maxBytes): Promise<StoredObject | undefined> {
      const file = resolve(key);
      try {
        const s = await stat(file);
        if (maxBytes !== undefined && s.size > maxBytes) throw new ObjectTooLargeError(file, s.size, maxBytes);
        const body = await readFile(file);
        return { body, etag: createHash('md5').update(body).digest('hex') };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },
    async createIfAbsent(key, body) {
      const file = resolve(key);
      await mkdir(path.dirname(file), { recursive: true });
      try {
        const fh = await open(file, 'wx');
        await fh.writeFile(body);
        await fh.close();
        return 'created';
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') return 'exists';
        throw err;
      }
    },
    list: (prefix) => listFiles(root, prefix),
    async delete(key) {
      await rm(resolve(key), { force: true });
    },
  };
}

/** The keys under `prefix` of the folder `root`, sorted (an unreadable folder holds none). */
async function listFiles(root: string, prefix: string): Promise<string[]> {
  const base = path.resolve(root);
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else {
        const key = path.relative(base, p).split(path.sep).join('/');
        if (key.startsWith(prefix)) out.push(key);
      }
    }
  };
  await walk(base);
  return out.sort();
}
