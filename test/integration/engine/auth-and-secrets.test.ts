/**
 * Each authentication scheme through the CLI, token expiry mid-run, and the rule that no token,
 * password, secret key or signature appears in logs, reports or errors.
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index.js';
import { CLI, bulkManifest, cleanEnv, latestLocalReport, runCli, tempDir, writeManifest } from '../../helpers/cli.js';

const SECRETS = {
  token: 'tok-SECRET-3141592',
  sk: 'sk-SECRET-2718281',
  password: 'pw-SECRET-1618033',
  securityToken: 'st-SECRET-1414213',
};

async function allFiles(dir: string): Promise<string> {
  let out = '';
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out += await readFile(path.join(e.parentPath, e.name), 'utf8');
  }
  return out;
}

function expectNoSecrets(text: string): void {
  for (const s of Object.values(SECRETS)) expect(text).not.toContain(s);
  // No signature either: an Authorization header value never leaves the process.
  expect(text).not.toMatch(/Signature=[0-9a-f]{64}/);
}

describe('authentication schemes and secrets', () => {
  let emu: Emulator;
  let dir: string;
  beforeAll(async () => {
    emu = await startEmulator({
      tokens: [SECRETS.token],
      aksk: [{ ak: 'AK-PUBLIC-1', sk: SECRETS.sk }],
      iamUsers: [{ domain: 'dom', user: 'ops', password: SECRETS.password }],
    });
    dir = await tempDir();
  });
  afterAll(() => emu.close());

  it('static token', async () => {
    emu.reset();
    const m = await writeManifest(dir, 'tok.yaml', bulkManifest(20, { prefix: 'tok' }));
    const res = await runCli(['apply', m, '--report', path.join(dir, 'r-tok')], {
      env: { FDI_ENDPOINT: emu.url, FDI_AUTH_TOKEN: SECRETS.token, LOG_LEVEL: 'debug' },
    });
    expect(res.code).toBe(0);
    expect(emu.stats().tasksStored).toBe(20);
    expectNoSecrets(res.stdout + res.stderr + (await allFiles(path.join(dir, 'r-tok'))));
  });

  it('AK/SK signing (with a security token)', async () => {
    emu.reset();
    const m = await writeManifest(dir, 'aksk.yaml', bulkManifest(20, { prefix: 'aksk' }));
    const res = await runCli(['apply', m, '--report', path.join(dir, 'r-aksk')], {
      env: {
        FDI_ENDPOINT: emu.url,
        FDI_ACCESS_KEY: 'AK-PUBLIC-1',
        FDI_SECRET_KEY: SECRETS.sk,
        FDI_SECURITY_TOKEN: SECRETS.securityToken,
        LOG_LEVEL: 'debug',
      },
    });
    expect(res.code).toBe(0);
    expect(emu.stats().tasksStored).toBe(20);
    expectNoSecrets(res.stdout + res.stderr + (await allFiles(path.join(dir, 'r-aksk'))));
  });

  it('IAM password flow with tokens that expire mid-run: refreshed, nothing lost or doubled', async () => {
    emu.reset();
    emu.configure({ tokenTtlSeconds: 1 });
    try {
      const m = await writeManifest(dir, 'iam.yaml', bulkManifest(120, { prefix: 'iam' }));
      const res = await runCli(['apply', m, '--rate', '50', '--report', path.join(dir, 'r-iam')], {
        env: {
          FDI_ENDPOINT: emu.url,
          FDI_IAM_ENDPOINT: emu.url,
          FDI_IAM_DOMAIN: 'dom',
          FDI_IAM_USER: 'ops',
          FDI_IAM_PASSWORD: SECRETS.password,
          LOG_LEVEL: 'debug',
        },
      });
      expect(res.code).toBe(0);
      const s = emu.stats();
      expect(s.tasksStored).toBe(120);
      expect(Object.values(s.createsCommitted).every((n) => n === 1)).toBe(true);
      expect(s.requests['POST /v3/auth/tokens']?.['201'] ?? 0).toBeGreaterThan(1);
      expectNoSecrets(res.stdout + res.stderr + (await allFiles(path.join(dir, 'r-iam'))));
    } finally {
      emu.configure({ tokenTtlSeconds: 86400 });
    }
  });

  it('wrong credentials abort at once with exit 3, write an aborted report, and leak nothing', async () => {
    emu.reset();
    const m = await writeManifest(dir, 'bad.yaml', bulkManifest(30, { prefix: 'bad' }));
    for (const [name, env] of [
      ['token', { FDI_AUTH_TOKEN: `${SECRETS.token}-wrong` }],
      ['aksk', { FDI_ACCESS_KEY: 'AK-PUBLIC-1', FDI_SECRET_KEY: `${SECRETS.sk}-wrong` }],
      [
        'iam',
        {
          FDI_IAM_ENDPOINT: emu.url,
          FDI_IAM_DOMAIN: 'dom',
          FDI_IAM_USER: 'ops',
          FDI_IAM_PASSWORD: `${SECRETS.password}-wrong`,
        },
      ],
    ] as const) {
      const res = await runCli(['apply', m, '--report', path.join(dir, `r-bad-${name}`)], {
        env: { FDI_ENDPOINT: emu.url, LOG_LEVEL: 'debug', ...env },
      });
      expect(res.code, name).toBe(3);
      expect(res.stderr).toMatch(/authentication failed/i);
      expect(res.stderr).not.toMatch(/\n\s+at /);
      const report = await latestLocalReport(path.join(dir, `r-bad-${name}`), m);
      expect(report.status).toBe('aborted');
      expectNoSecrets(res.stdout + res.stderr + (await allFiles(path.join(dir, `r-bad-${name}`))));
    }
    expect(emu.stats().tasksStored).toBe(0);
  });

  it.skipIf(process.platform !== 'linux')(
    'a --token on the command line is not visible in the process list while it runs',
    async () => {
      emu.reset();
      emu.configure({ latencyMs: 150 });
      try {
        const m = await writeManifest(dir, 'title.yaml', bulkManifest(20, { prefix: 'title' }));
        const child = spawn(
          process.execPath,
          [CLI, 'apply', m, '--token', SECRETS.token, '--concurrency', '1', '--report', path.join(dir, 'r-title')],
          { env: cleanEnv({ FDI_ENDPOINT: emu.url }) },
        );
        let ended = false;
        const done = new Promise<number | null>((resolve) => child.on('close', resolve)).finally(() => (ended = true));
        // Wait until the run is talking to FDI, then read what `ps` would show (a child that ends first fails below).
        while (!ended && emu.stats().requestsTotal < 3) await new Promise((r) => setTimeout(r, 20));
        expect(ended, 'the run ended before it could be observed').toBe(false);
        const cmdline = await readFile(`/proc/${child.pid}/cmdline`, 'utf8');
        expect(await done).toBe(0);
        expect(cmdline).not.toContain(SECRETS.token);
        expect(cmdline).toContain('fdi-provision');
      } finally {
        emu.configure({ latencyMs: 0 });
      }
    },
  );

  it('LOG_LEVEL=debug logs every request and every retry, without credentials', async () => {
    emu.reset();
    emu.configure({ faults: { '503': 0.3 }, seed: 4 });
    try {
      const m = await writeManifest(dir, 'debug.yaml', bulkManifest(20, { prefix: 'dbg' }));
      const res = await runCli(['apply', m, '--report', path.join(dir, 'r-dbg')], {
        env: { FDI_ENDPOINT: emu.url, FDI_AUTH_TOKEN: SECRETS.token, LOG_LEVEL: 'debug', FDI_MAX_ATTEMPTS: '10' },
      });
      expect(res.code).toBe(0);
      const lines = res.stderr
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { msg: string; operation?: string; status?: number });
      expect(lines.filter((l) => l.msg === 'request' && l.operation === 'POST /tasks').length).toBeGreaterThanOrEqual(
        20,
      );
      expect(lines.some((l) => l.msg === 'retrying' && l.status === 503)).toBe(true);
      expectNoSecrets(res.stderr);
    } finally {
      emu.configure({ faults: {} });
    }
  });
});
