/** Test helpers: a client on the scheduler against a running emulator, with a captured logger. */
import { Writable } from 'node:stream';
import got from 'got';
import { pino } from 'pino';
import type { AuthConfig } from '../../lib/config.js';
import { createAuthenticator } from '../../lib/fdi/client/auth.js';
import { createFdiClient, type FdiClient } from '../../lib/fdi/client/client.js';
import { createScheduler, type Scheduler } from '../../lib/traffic/scheduler.js';
import { REDACT_PATHS, type Logger } from '../../lib/logger.js';

export const TARGET = { project_id: 'local-project', instance_id: 'local-instance' };

export function testClient(
  url: string,
  auth: AuthConfig,
  opts: { concurrency?: number; rate?: number; timeoutMs?: number; projectId?: string } = {},
): { client: FdiClient; scheduler: Scheduler } {
  const scheduler = createScheduler({ concurrency: opts.concurrency ?? 8, rate: opts.rate ?? 1000 });
  const authenticator = createAuthenticator(auth, {
    http: got.extend({ retry: { limit: 0 } }),
    projectId: opts.projectId ?? 'local-project',
  });
  const client = createFdiClient({
    endpoint: url,
    auth: authenticator,
    timeoutMs: opts.timeoutMs ?? 5000,
    gate: scheduler.gate,
    observe: (e) => scheduler.observe(e),
  });
  return { client, scheduler };
}

/** A real pino logger (with the product's redaction) whose output is kept for inspection. */
export function capturedLogger(level = 'debug'): { logger: Logger; text: () => string } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  const logger = pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
  return { logger, text: () => chunks.join('') };
}
