/**
 * The state of one emulator: its settings, the stored tasks, the counters, the credentials, the fault
 * source and the rate bucket, and its pending waits. The HTTP server and the request pipeline are
 * shells around it; the /__emulator control routes change it only through its methods.
 */
import { performance } from 'node:perf_hooks';
import type { DataSource } from '../lib/fdi/model/api.js';
import { Authenticator } from './auth.js';
import { ExecutionStore } from './executions.js';
import { type Decision, FaultPlan } from './faults.js';
import {
  type EmulatorOptions,
  type ResolvedOptions,
  type RuntimeKey,
  type RuntimePatch,
  type RuntimeSettings,
  DEFAULTS,
  EmulatorConfigError,
  RUNTIME_KEYS,
  checkRuntimePatch,
  resolveOptions,
  resolveRuntime,
} from './options.js';
import { newRateQuota, type RateQuota } from './rate-quota.js';
import { RequestLog } from './request-log.js';
import { TaskStore } from './state.js';
import { type EmulatorStats, StatsCollector } from './stats.js';
import { Waits } from './waits.js';

/** What happens to one FDI request, decided at its arrival. */
export interface Arrival {
  decision: Decision;
  /** False when the rate quota refuses it. */
  allowed: boolean;
}

/**
 * The runtime settings with no "off" state, those with a default (DEFAULTS): configure() leaves them as
 * they are when the patch gives them as undefined (the others go back to their default, which is off).
 */
const KEPT_WHEN_UNDEFINED: readonly RuntimeKey[] = RUNTIME_KEYS.filter((k) => k in DEFAULTS);

/** Everything one emulator holds. */
export class EmulatorCore {
  readonly options: ResolvedOptions;
  readonly store: TaskStore;
  /** The simulated executions (in memory only). */
  readonly executions = new ExecutionStore();
  readonly stats = new StatsCollector();
  readonly auth: Authenticator;
  readonly datasources: ReadonlyMap<string, DataSource>;
  readonly waits = new Waits();
  readonly requestLog = new RequestLog();
  private readonly faults: FaultPlan;
  private bucket: RateQuota | undefined;

  constructor(options: EmulatorOptions) {
    this.options = resolveOptions(options);
    this.store = new TaskStore(this.options.stateFile);
    this.auth = new Authenticator(
      this.options.tokens,
      this.options.aksk,
      this.options.iamUsers,
      this.options.temporaryCredentials,
    );
    this.datasources = new Map(this.options.datasources.map((d) => [d.datasource_id, d]));
    this.faults = new FaultPlan(this.options.seed);
    this.bucket = this.newBucket();
  }

  private newBucket(): RateQuota | undefined {
    const { rateQuota, rateQuotaPeriod, rateQuotaModel } = this.options;
    return rateQuota === undefined
      ? undefined
      : newRateQuota(rateQuota, performance.now(), rateQuotaPeriod, rateQuotaModel);
  }

  /** Decides the latency, the fault and the quota of the next FDI request; call once per request, at arrival. */
  arrive(): Arrival {
    // Synchronous, so the PRNG and the bucket see requests in arrival order.
    const decision = this.faults.next(this.options);
    const allowed = this.bucket?.tryTake(performance.now()) ?? true;
    return { decision, allowed };
  }

  /** Changes settings at run time; throws EmulatorConfigError when a value is invalid. */
  configure(patch: RuntimePatch): void {
    const problems = checkRuntimePatch(patch as Record<string, unknown>);
    if (problems.length > 0) throw new EmulatorConfigError(problems.join('; '));
    const given: RuntimePatch = { ...patch };
    for (const key of KEPT_WHEN_UNDEFINED) if (given[key] === undefined) delete given[key];
    // Undefined (or null from JSON, for rateQuota and retryAfterSeconds) switches the others off.
    Object.assign(this.options, resolveRuntime({ ...this.options, ...given }));
    if ('tokens' in given) this.auth.acceptTokens(this.options.tokens);
    if ('rateQuota' in given || 'rateQuotaPeriod' in given || 'rateQuotaModel' in given) this.bucket = this.newBucket();
    if ('seed' in given) this.faults.reseed(this.options.seed);
  }

  /**
   * The settings configure() can change, as they are now, less the static tokens: they are
   * credentials, and GET /__emulator/config asks for none.
   */
  runtimeSettings(): Omit<RuntimeSettings, 'tokens'> {
    const { tokens: _credentials, ...settings } = resolveRuntime(this.options);
    return settings;
  }

  /**
   * Clears tasks, dispatches, executions, stats and the request log, re-seeds the PRNG and refills the
   * rate bucket.
   */
  reset(): void {
    this.store.clear();
    this.executions.clear();
    this.stats.reset();
    this.requestLog.clear();
    this.faults.reseed(this.options.seed);
    this.bucket = this.newBucket();
  }

  /** The stats as they are now. */
  snapshot(): EmulatorStats {
    return this.stats.snapshot(this.store.size());
  }
}
