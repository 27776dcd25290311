/**
 * What the emulator received and did, for tests that prove invariants (exactly once, rate, concurrency).
 */

export interface EmulatorStats {
  /** Route label (e.g. 'POST /tasks') → status (or 'reset'/'hang'/'aborted') → count. Includes IAM, excludes /__emulator. */
  requests: Record<string, Record<string, number>>;
  /** Every request counted in `requests`. */
  requestsTotal: number;
  /** Tasks stored now, over all instances. */
  tasksStored: number;
  /** Task name → POST /tasks requests that carried it (any outcome, faults included). */
  createAttempts: Record<string, number>;
  /** Task name → times a create stored a task with that name. */
  createsCommitted: Record<string, number>;
  /** Task name → times a DELETE removed a task with that name. */
  deletesCommitted: Record<string, number>;
  /** Creates and renames refused because the name already exists in the instance. */
  duplicateNameRejections: number;
  /** Most FDI API requests in flight at once. */
  maxConcurrent: number;
  /** Most FDI API request arrivals within any sliding 1-second window. */
  peakRequestsPerSecond: number;
  /** 429s answered (quota or fault). */
  throttled: number;
  /** Fault kind → times injected. */
  faultsInjected: Record<string, number>;
  /**
   * PUTs of a dispatch to an ID the task does not have ("undefined", a stale ID, any ID of a task
   * without a schedule), answered 404.
   */
  dispatchPutsWithoutId: number;
  /**
   * Task name → simulated executions begun (by RunTask, or by a batch start of a REALTIME task or, with
   * `runOnStart`, of a TIMING task). `≤ 1` per name proves a run was triggered once.
   */
  executionsStarted: Record<string, number>;
  /** Executions ended by `POST /tasks/{task_id}/terminate`. */
  terminations: number;
}

function bump(map: Record<string, number>, key: string, by = 1): void {
  map[key] = (map[key] ?? 0) + by;
}

/** Mutable counters behind EmulatorStats. `tasksStored` is filled in by the caller. */
export class StatsCollector {
  private requests: Record<string, Record<string, number>> = {};
  private requestsTotal = 0;
  // Maps, not objects: a task name is user input and may be "__proto__".
  private createAttempts = new Map<string, number>();
  private createsCommitted = new Map<string, number>();
  private deletesCommitted = new Map<string, number>();
  private duplicateNameRejections = 0;
  private inFlight = 0;
  private maxConcurrent = 0;
  private arrivalTimes: number[] = [];
  /** Index of the oldest arrival inside the current 1-second window. */
  private windowStart = 0;
  private peak = 0;
  private throttled = 0;
  private faultsInjected: Record<string, number> = {};
  private dispatchPutsWithoutId = 0;
  private executionsStarted = new Map<string, number>();
  private terminations = 0;

  /** An FDI API request arrived at `now` (ms); returns a function to call exactly once when it is over. */
  apiArrival(now: number): () => void {
    this.arrivalTimes.push(now);
    while (this.arrivalTimes[this.windowStart] <= now - 1000) this.windowStart += 1;
    this.peak = Math.max(this.peak, this.arrivalTimes.length - this.windowStart);
    this.inFlight += 1;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.inFlight);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.inFlight -= 1;
    };
  }

  /** Counts the outcome of a request: an HTTP status, 'reset', 'hang', or 'aborted' (the client left before the answer). */
  outcome(route: string, status: number | 'reset' | 'hang' | 'aborted'): void {
    this.requests[route] ??= {};
    bump(this.requests[route], String(status));
    this.requestsTotal += 1;
    if (status === 429) this.throttled += 1;
  }

  createAttempt(name: string): void {
    this.createAttempts.set(name, (this.createAttempts.get(name) ?? 0) + 1);
  }

  createCommitted(name: string): void {
    this.createsCommitted.set(name, (this.createsCommitted.get(name) ?? 0) + 1);
  }

  deleteCommitted(name: string): void {
    this.deletesCommitted.set(name, (this.deletesCommitted.get(name) ?? 0) + 1);
  }

  duplicateName(): void {
    this.duplicateNameRejections += 1;
  }

  executionStarted(name: string): void {
    this.executionsStarted.set(name, (this.executionsStarted.get(name) ?? 0) + 1);
  }

  terminated(): void {
    this.terminations += 1;
  }

  dispatchPutWithoutId(): void {
    this.dispatchPutsWithoutId += 1;
  }

  fault(kind: string): void {
    bump(this.faultsInjected, kind);
  }

  arrivals(): number[] {
    return [...this.arrivalTimes];
  }

  /** Clears every counter; requests still in flight keep counting as in flight. */
  reset(): void {
    this.requests = {};
    this.requestsTotal = 0;
    this.createAttempts.clear();
    this.createsCommitted.clear();
    this.deletesCommitted.clear();
    this.duplicateNameRejections = 0;
    this.maxConcurrent = this.inFlight;
    this.arrivalTimes = [];
    this.windowStart = 0;
    this.peak = 0;
    this.throttled = 0;
    this.faultsInjected = {};
    this.dispatchPutsWithoutId = 0;
    this.executionsStarted.clear();
    this.terminations = 0;
  }

  snapshot(tasksStored: number): EmulatorStats {
    return structuredClone({
      requests: this.requests,
      requestsTotal: this.requestsTotal,
      tasksStored,
      createAttempts: Object.fromEntries(this.createAttempts),
      createsCommitted: Object.fromEntries(this.createsCommitted),
      deletesCommitted: Object.fromEntries(this.deletesCommitted),
      duplicateNameRejections: this.duplicateNameRejections,
      maxConcurrent: this.maxConcurrent,
      peakRequestsPerSecond: this.peak,
      throttled: this.throttled,
      faultsInjected: this.faultsInjected,
      dispatchPutsWithoutId: this.dispatchPutsWithoutId,
      executionsStarted: Object.fromEntries(this.executionsStarted),
      terminations: this.terminations,
    });
  }
}
