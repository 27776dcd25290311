/**
 * The scripts a user would write instead of the product, run as their own process by bench:throughput:
 *
 *   sequential   for (const r of requests) await post(r)
 *   promise-all  await Promise.all(requests.map(post))
 *
 * `post` retries 429, 5xx and network errors up to 5 attempts in all (the product's default), waiting
 * 100 ms · 2^(attempt−1) — no jitter, no rate limit, and no name lookup before retrying an ambiguous
 * failure. Usage: node --import tsx bench/baselines/naive-client.ts <mode> <requests.jsonl> <token>
 * Each line of the file is {"url": "...", "body": "<JSON text>"}. Prints one JSON summary on stdout.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const MAX_ATTEMPTS = 5;
const BASE_DELAY_MS = 100;

interface Call {
  url: string;
  body: string;
}

interface Outcome {
  ok: boolean;
  /** Final HTTP status, or 'network'. */
  last: number | 'network';
  /** The final answer said the name already exists (an earlier attempt had created it). */
  nameExists: boolean;
  attempts: number;
}

async function post(call: Call, token: string): Promise<Outcome> {
  for (let attempt = 1; ; attempt++) {
    let status: number | 'network';
    let text = '';
    try {
      const res = await fetch(call.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json;charset=UTF-8', 'X-Auth-Token': token },
        body: call.body,
      });
      status = res.status;
      text = await res.text();
    } catch {
      status = 'network';
    }
    if (status === 200) return { ok: true, last: status, nameExists: false, attempts: attempt };
    const transient = status === 'network' || status === 429 || status >= 500;
    if (!transient || attempt >= MAX_ATTEMPTS)
      return { ok: false, last: status, nameExists: text.includes('already exists'), attempts: attempt };
    await sleep(BASE_DELAY_MS * 2 ** (attempt - 1));
  }
}

async function main(): Promise<void> {
  const [mode, file, token] = process.argv.slice(2);
  if ((mode !== 'sequential' && mode !== 'promise-all') || !file || !token) {
    throw new Error('usage: naive-client.ts <sequential|promise-all> <requests.jsonl> <token>');
  }
  const calls = readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Call);
  const started = performance.now();
  let outcomes: Outcome[];
  if (mode === 'sequential') {
    outcomes = [];
    for (const c of calls) outcomes.push(await post(c, token));
  } else {
    outcomes = await Promise.all(calls.map((c) => post(c, token)));
  }
  const elapsedMs = performance.now() - started;
  const failedBy: Record<string, number> = {};
  for (const o of outcomes) if (!o.ok) failedBy[String(o.last)] = (failedBy[String(o.last)] ?? 0) + 1;
  process.stdout.write(
    `${JSON.stringify({
      mode,
      elapsedMs,
      ok: outcomes.filter((o) => o.ok).length,
      failed: outcomes.filter((o) => !o.ok).length,
      failedBy,
      nameExists: outcomes.filter((o) => o.nameExists).length,
      attempts: outcomes.reduce((a, o) => a + o.attempts, 0),
    })}\n`,
  );
}

await main();
