/**
 * FDI_HEARTBEAT_MS and FDI_STALE_AFTER_MS: the function's heartbeat and takeover, for a platform that
 * retries a killed invocation sooner than the default 45 s (docs/FUNCTIONGRAPH.md).
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/errors.js';
import { loadConfig } from '../../../lib/config.js';
import { buildTriggerDeps } from '../../../lib/trigger/deps.js';
import { silentLogger } from '../../../lib/logger.js';

describe('liveness settings', () => {
  it('unset: undefined, so the trigger keeps its defaults', () => {
    expect(loadConfig({}).liveness).toBeUndefined();
    expect(buildTriggerDeps({}, { logger: silentLogger() }).liveness).toBeUndefined();
  });

  it('set: both values, the other one defaulted, and handed to the trigger', () => {
    expect(loadConfig({ FDI_STALE_AFTER_MS: '40000' }).liveness).toEqual({ heartbeatMs: 15_000, staleAfterMs: 40_000 });
    const env = { FDI_HEARTBEAT_MS: '5000', FDI_STALE_AFTER_MS: '15000' };
    expect(loadConfig(env).liveness).toEqual({ heartbeatMs: 5_000, staleAfterMs: 15_000 });
    expect(buildTriggerDeps(env, { logger: silentLogger() }).liveness).toEqual({
      heartbeatMs: 5_000,
      staleAfterMs: 15_000,
    });
  });

  it.each([
    [
      { FDI_HEARTBEAT_MS: 'soon' },
      /FDI_HEARTBEAT_MS must be a whole number of milliseconds from 1000 to 60000 \(got "soon"\)/,
    ],
    [{ FDI_STALE_AFTER_MS: '100' }, /FDI_STALE_AFTER_MS must be a whole number of milliseconds from 3000 to 600000/],
    [
      { FDI_HEARTBEAT_MS: '10000', FDI_STALE_AFTER_MS: '15000' },
      /FDI_STALE_AFTER_MS \(15000\) must be at least twice FDI_HEARTBEAT_MS \(10000\)/,
    ],
  ])('%j is refused with the setting named', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
