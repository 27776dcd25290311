/**
 * The emulator as the benches use it: started in the bench's own process (the client under test is
 * always a separate process, so the two never share an event loop), and summarised after a run.
 */
import { startEmulator, type Emulator, type EmulatorOptions, type FaultKind } from '../../emulator/index.js';

export type { Emulator };

export interface ServerSettings {
  instances: string[];
  /** Requests per second (token bucket of capacity = quota). */
  quota?: number;
  latencyMs: number;
  jitterMs: number;
  faults: Partial<Record<FaultKind, number>>;
  seed: number;
  retryAfterSeconds?: number | undefined;
  maxTasks?: number;
  /** The quota's period, counting model and 429 message (emulator/rate-quota.ts); defaults: second, bucket, limit. */
  quotaPeriod?: EmulatorOptions['rateQuotaPeriod'];
  quotaModel?: EmulatorOptions['rateQuotaModel'];
  quotaMessage?: EmulatorOptions['rateQuotaMessage'];
}

export function startBenchEmulator(s: ServerSettings): Promise<Emulator> {
  const options: EmulatorOptions = {
    instances: s.instances,
    latencyMs: s.latencyMs,
    jitterMs: s.jitterMs,
    faults: s.faults,
    seed: s.seed,
    ...(s.quota !== undefined ? { rateQuota: s.quota } : {}),
    ...(s.retryAfterSeconds !== undefined ? { retryAfterSeconds: s.retryAfterSeconds } : {}),
    ...(s.maxTasks !== undefined ? { maxTasks: s.maxTasks } : {}),
    ...(s.quotaPeriod !== undefined ? { rateQuotaPeriod: s.quotaPeriod } : {}),
    ...(s.quotaModel !== undefined ? { rateQuotaModel: s.quotaModel } : {}),
    ...(s.quotaMessage !== undefined ? { rateQuotaMessage: s.quotaMessage } : {}),
  };
  return startEmulator(options);
}

/** What the server saw during one run. */
export interface ServerSummary {
  requests: number;
  /** Requests that took a token from the quota bucket (all but the quota's own 429s). */
  tokenRequests: number;
  creates: number;
  lookups: number;
  throttled: number;
  /** 429s from the quota bucket (the rest are the injected `429` fault). */
  quotaThrottled: number;
  faults: Record<string, number>;
  stored: number;
  /** Names stored more than once (the exactly-once proof; must be 0). */
  duplicateNames: number;
  /** Creates refused because the name already existed: a client repeated a create that had gone through. */
  nameExistsRejections: number;
  /** N minus the tasks stored among the expected names. */
  missing: number;
  maxConcurrent: number;
  peakRps: number;
  /** Arrivals in each whole second from the first arrival. */
  perSecond: number[];
}

export function summarize(emu: Emulator, expectedNames: Iterable<string>): ServerSummary {
  const s = emu.stats();
  const stored = new Set(emu.tasks().map((t) => t.task_name));
  let missing = 0;
  for (const name of expectedNames) if (!stored.has(name)) missing += 1;
  const injected429 = s.faultsInjected['429'] ?? 0;
  const byRoute = (route: string) => Object.values(s.requests[route] ?? {}).reduce((a, b) => a + b, 0);
  return {
    requests: s.requestsTotal,
    tokenRequests: s.requestsTotal - (s.throttled - injected429),
    creates: byRoute('POST /tasks'),
    lookups: byRoute('GET /tasks'),
    throttled: s.throttled,
    quotaThrottled: s.throttled - injected429,
    faults: s.faultsInjected,
    stored: s.tasksStored,
    duplicateNames: Object.values(s.createsCommitted).filter((n) => n > 1).length,
    nameExistsRejections: s.duplicateNameRejections,
    missing,
    maxConcurrent: s.maxConcurrent,
    peakRps: s.peakRequestsPerSecond,
    perSecond: perSecond(emu.arrivals()),
  };
}

function perSecond(arrivals: number[]): number[] {
  if (arrivals.length === 0) return [];
  const first = arrivals[0];
  const out: number[] = [];
  for (const t of arrivals) {
    const k = Math.floor((t - first) / 1000);
    while (out.length <= k) out.push(0);
    out[k] += 1;
  }
  return out;
}
