/**
 * The compiled CLI (`npm run build` first; `npm test` does it): `fdi-provision emulator`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE, call, taskBody } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = join(ROOT, 'dist/cli/main.js');
const EXAMPLE = readFileSync(join(ROOT, 'test/fixtures/create-common-task.example.json'));

interface Running {
  proc: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

/** Spawns the emulator and resolves once it printed its first line. */
function start(args: string[]): Promise<Running> {
  const proc = spawn(process.execPath, [CLI, 'emulator', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const exit = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  proc.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening on" line within 10 s; stderr: ${err}`)), 10_000);
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const first = out.split('\n')[0];
      if (out.includes('\n')) {
        clearTimeout(timer);
        const m = /^listening on (http:\/\/\S+)$/.exec(first);
        if (m) resolve({ proc, url: m[1], stdout: () => out, stderr: () => err, exit });
        else reject(new Error(`unexpected first line: ${first}`));
      }
    });
    void exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before listening; stderr: ${err}`));
    });
  });
}

/** Runs the CLI to completion (for flags it refuses). */
function runToEnd(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, [CLI, 'emulator', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => proc.on('close', (code) => resolve({ code, stdout, stderr })));
}

let dir: string;
beforeAll(() => {
  if (!existsSync(CLI) || !existsSync(join(ROOT, 'dist/emulator/index.js')))
    throw new Error('dist/ is missing: run `npm run build` first');
  dir = mkdtempSync(join(tmpdir(), 'fdi-emulator-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fdi-provision emulator', () => {
  it('prints "listening on <url>" first, answers the documented example with 200, and exits 0 on SIGTERM', async () => {
    const emu = await start(['--port', '0']);
    const res = await call(emu.url, 'POST', `${BASE}/tasks`, {
      body: EXAMPLE,
      headers: { 'Content-Type': 'application/json' },
    });
    expect(res.status).toBe(200);
    expect(res.json.task).toMatchObject({
      task_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      task_name: 'fdi_task_v2mysql-tomysql',
      task_type: 'timing',
      status: 'stop',
      project_id: 'local-project',
      source_datasource_id: '30969b205e8f4392a25fb321112d1753',
      created_date: expect.any(Number),
    });
    expect(typeof res.json.task_detail).toBe('string');
    emu.proc.kill('SIGTERM');
    expect(await emu.exit).toBe(0);
    expect(emu.stdout().split('\n')[0]).toBe(`listening on ${emu.url}`);
  });

  it('exits 0 on SIGINT too', async () => {
    const emu = await start(['--port', '0']);
    emu.proc.kill('SIGINT');
    expect(await emu.exit).toBe(0);
  });

  it('applies tokens, project, instance, data sources file, quota, faults and state', async () => {
    const dsFile = join(dir, 'ds.yaml');
    writeFileSync(
      dsFile,
      '- datasource_id: src-1\n  datasource_name: my-source\n  datasource_type: API\n  app_id: app-1\n- datasource_id: dst-1\n  datasource_name: my-target\n  datasource_type: MYSQL\n  app_id: app-1\n',
    );
    const state = join(dir, 'state.json');
    const args = [
      '--port',
      '0',
      '--token',
      'tok-a',
      '--project',
      'proj',
      '--instance',
      'inst',
      '--datasources',
      dsFile,
      '--max-tasks',
      '1',
      '--state',
      state,
    ];
    const base = '/v2/proj/fdi/instances/inst';
    const body = taskBody('cli-task', { source_datasource_id: 'src-1', target_datasource_id: 'dst-1' });
    const emu = await start(args);
    try {
      const headers = { 'X-Auth-Token': 'tok-a' };
      expect((await call(emu.url, 'GET', `${base}/tasks`)).status).toBe(401); // local-token is not configured
      expect((await call(emu.url, 'GET', `${BASE}/tasks`, { headers })).status).toBe(404);
      const ds = await call(emu.url, 'GET', `${base}/datasources`, { headers });
      expect(ds.json.entities.map((d: { datasource_name: string }) => d.datasource_name)).toEqual([
        'my-source',
        'my-target',
      ]);
      expect((await call(emu.url, 'POST', `${base}/tasks`, { headers, body })).status).toBe(200);
      const full = await call(emu.url, 'POST', `${base}/tasks`, {
        headers,
        body: { ...body, task: { ...body.task, task_name: 'cli-task-2' } },
      });
      expect(full.json.error_msg).toMatch(/quota/);
    } finally {
      emu.proc.kill('SIGTERM');
      expect(await emu.exit).toBe(0);
    }
    // The state file keeps the task for the next run; --fault and --seed apply.
    const again = await start([...args, '--fault', '503=1', '--seed', '7']);
    try {
      expect((await call(again.url, 'GET', `${base}/tasks`, { headers: { 'X-Auth-Token': 'tok-a' } })).status).toBe(
        503,
      );
      await call(again.url, 'POST', '/__emulator/config', { body: { faults: {} } });
      const list = await call(again.url, 'GET', `${base}/tasks`, { headers: { 'X-Auth-Token': 'tok-a' } });
      expect(list.json.entities.map((e: { task_name: string }) => e.task_name)).toEqual(['cli-task']);
    } finally {
      again.proc.kill('SIGTERM');
      expect(await again.exit).toBe(0);
    }
  });

  it('answers in the response form by default; --detail-form request echoes, --no-dispatch empty answers {}', async () => {
    const plain = await start(['--port', '0']);
    try {
      const res = await call(plain.url, 'POST', `${BASE}/tasks`, {
        body: taskBody('form-default', {}, '{"mappingTable":[]}'),
      });
      expect(JSON.parse(res.json.task_detail)).toMatchObject({ task_name: 'form-default', mapping_table: [] });
      expect((await call(plain.url, 'GET', `${BASE}/tasks/${res.json.task.task_id}/dispatches`)).status).toBe(404);
    } finally {
      plain.proc.kill('SIGTERM');
      expect(await plain.exit).toBe(0);
    }
    const emu = await start(['--port', '0', '--detail-form', 'request', '--no-dispatch', 'empty']);
    try {
      const res = await call(emu.url, 'POST', `${BASE}/tasks`, {
        body: taskBody('form-echo', {}, '{"mappingTable":[]}'),
      });
      expect(res.json.task_detail).toBe('{"mappingTable":[]}');
      const shown = await call(emu.url, 'GET', `${BASE}/tasks/${res.json.task.task_id}/dispatches`);
      expect(shown.status).toBe(200);
      expect(shown.json).toEqual({});
      const config = await call(emu.url, 'GET', '/__emulator/config');
      expect(config.json).toMatchObject({ detailForm: 'request', noDispatch: 'empty' });
    } finally {
      emu.proc.kill('SIGTERM');
      expect(await emu.exit).toBe(0);
    }
  });

  it.each([
    [['--detail-form', 'camel'], /--detail-form must be one of response, request/],
    [['--no-dispatch', 'gone'], /--no-dispatch must be one of 404, empty, no-id/],
    [['--port', 'eighty'], /--port must be a whole number/],
    [['--fault', 'teapot=0.5'], /unknown kind "teapot"/],
    [['--fault', '500=3'], /probability must be a number from 0 to 1/],
    [['--rate-quota', '-2'], /--rate-quota must be a number greater than 0/],
    [['--ak', 'AKONLY'], /--ak and --sk go together/],
    [['--datasources', '/nonexistent/ds.yaml'], /cannot read it/],
    [['--max-tasks', 'many'], /--max-tasks/],
  ])('refuses %j with exit 2, a clear message and no stack trace', async (args, message) => {
    const { code, stdout, stderr } = await runToEnd(['--port', '0', ...args]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^error: invalid emulator flags:/);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a port in use with exit 2', async () => {
    const emu = await start(['--port', '0']);
    try {
      const port = new URL(emu.url).port;
      const { code, stderr } = await runToEnd(['--port', port]);
      expect(code).toBe(2);
      expect(stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
    } finally {
      emu.proc.kill('SIGTERM');
      await emu.exit;
    }
  });
});
