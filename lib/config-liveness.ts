/**
 * The function's liveness settings (FDI_HEARTBEAT_MS, FDI_STALE_AFTER_MS; docs/RELIABILITY.md): how
 * often a live invocation beats, and after how long without a beat a run is taken over. Pure.
 */
type Env = Record<string, string | undefined>;

export interface Liveness {
  heartbeatMs: number;
  staleAfterMs: number;
}

/** Bounds of the liveness settings, ms. */
export const LIVENESS_BOUNDS = {
  heartbeatMs: { min: 1_000, max: 60_000, default: 15_000 },
  staleAfterMs: { min: 3_000, max: 600_000, default: 45_000 },
} as const;

/** The liveness settings of the environment; undefined when neither is set. */
export function livenessFrom(env: Env, problems: string[]): Liveness | undefined {
  const set = (v: string | undefined) => (v?.trim() ? v.trim() : undefined);
  const raw = { heartbeatMs: set(env.FDI_HEARTBEAT_MS), staleAfterMs: set(env.FDI_STALE_AFTER_MS) };
  if (raw.heartbeatMs === undefined && raw.staleAfterMs === undefined) return undefined;
  const value = (k: keyof typeof LIVENESS_BOUNDS, name: string): number => {
    const b = LIVENESS_BOUNDS[k];
    if (raw[k] === undefined) return b.default;
    const n = Number(raw[k]);
    if (Number.isInteger(n) && n >= b.min && n <= b.max) return n;
    problems.push(
      `${name} must be a whole number of milliseconds from ${b.min} to ${b.max} (got ${JSON.stringify(raw[k])})`,
    );
    return b.default;
  };
  const liveness = {
    heartbeatMs: value('heartbeatMs', 'FDI_HEARTBEAT_MS'),
    staleAfterMs: value('staleAfterMs', 'FDI_STALE_AFTER_MS'),
  };
  if (liveness.staleAfterMs < 2 * liveness.heartbeatMs)
    problems.push(
      `FDI_STALE_AFTER_MS (${liveness.staleAfterMs}) must be at least twice FDI_HEARTBEAT_MS (${liveness.heartbeatMs}), or a live run could be taken over`,
    );
  return liveness;
}
