/**
 * The deadline of an invocation as two signals: soft, early enough for in-flight requests, the
 * checkpoint and the report (dispatching stops and the run suspends), and hard, just before the
 * platform ends the invocation (in-flight requests are aborted).
 */

/** What the invocation knows about its time. */
export interface InvocationClock {
  /** Milliseconds left before the platform kills the invocation. */
  remainingMs(): number;
}

/** How long before the invocation's end each signal fires. */
export interface DeadlineMargins {
  softMarginMs: number;
  hardMarginMs: number;
}

/** The orchestrator's two stops: `deadline` (stop dispatching, suspend) and `signal` (abort requests). */
export interface Deadline {
  deadline: AbortSignal;
  signal: AbortSignal;
  dispose(): void;
}

export function deadlineSignals(clock: InvocationClock, margins: DeadlineMargins): Deadline {
  const soft = new AbortController();
  const hard = new AbortController();
  const timers = [
    setTimeout(() => soft.abort(new Error('deadline')), Math.max(0, clock.remainingMs() - margins.softMarginMs)),
    setTimeout(() => hard.abort(new Error('deadline')), Math.max(0, clock.remainingMs() - margins.hardMarginMs)),
  ];
  return { deadline: soft.signal, signal: hard.signal, dispose: () => timers.forEach(clearTimeout) };
}
