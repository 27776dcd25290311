/**
 * The FDI client of a run, built from the configuration: the endpoint, the credentials and the
 * limits, with every request passing through the run's pacing (concurrency cap and rate limiter).
 * The orchestrator takes a connector as an input, so tests and other platforms can pass their own.
 */
import got from 'got';
import type { Config, Limits } from '../../config.js';
import { ConfigError } from '../../errors.js';
import { createAuthenticator } from './auth.js';
import { createFdiClient, type AttemptEvent, type FdiClient, type RequestGate } from './client.js';

/** What the client needs from the run's scheduler. */
export interface Pacing {
  gate: RequestGate;
  observe(event: AttemptEvent): void;
}

export type FdiConnector = (config: Config, pacing: Pacing, limits: Limits) => FdiClient;

/** The HTTP client (got) with the configured authentication. */
export const connectFdi: FdiConnector = (config, pacing, limits) => {
  if (!config.endpoint) {
    throw new ConfigError(
      'no FDI endpoint: set FDI_ENDPOINT or --endpoint (e.g. https://roma.cn-north-4.myhuaweicloud.com)',
    );
  }
  const iamHttp = got.extend({ retry: { limit: 0 }, timeout: { request: limits.timeoutMs } });
  const auth = createAuthenticator(config.auth, { http: iamHttp, projectId: config.projectId });
  return createFdiClient({
    endpoint: config.endpoint,
    auth,
    timeoutMs: limits.timeoutMs,
    gate: pacing.gate,
    observe: (e) => pacing.observe(e),
    maxSockets: limits.concurrency,
  });
};
