/** The failure threshold as a pure function: stop dispatching when too many attempted tasks failed. */

export interface FailureThreshold {
  /** Stop when failed/attempted exceeds this percentage … */
  percent: number;
  /** … once at least this many tasks have been attempted. */
  min_attempted: number;
}

export const DEFAULT_FAILURE_THRESHOLD: FailureThreshold = { percent: 50, min_attempted: 20 };

export function thresholdExceeded(counts: { attempted: number; failed: number }, t: FailureThreshold): boolean {
  if (counts.attempted === 0 || counts.attempted < t.min_attempted) return false;
  return (counts.failed / counts.attempted) * 100 > t.percent;
}
