/**
 * The local stack's stand-in for Lambda (or FunctionGraph) invoking the handler: events are handled one at a time, in
 * the order they arrive, like a function with a reserved concurrency of 1, and each invocation gets
 * its own time budget, like a Lambda timeout.
 */
import type { Logger } from '../lib/logger.js';
import type { RecordOutcome } from '../lib/trigger/handle-event.js';

/** How long `idle()` waits for a handled event to raise another before calling the queue quiet. */
const QUIET_MS = 50;

/** Calls the platform's handler with one event and the invocation's remaining time. */
export type Invoke<E> = (event: E, remainingMs: () => number) => Promise<RecordOutcome[]>;

/** Invokes a handler with one event at a time and keeps every outcome. */
export class InvocationQueue<E> {
  /** Every handler outcome so far, in order. */
  readonly outcomes: RecordOutcome[] = [];
  /** Settles when the last event queued so far has been handled. */
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly handler: Invoke<E>,
    private readonly budgetMs: number,
    private readonly logger: Logger,
    /** Told of each outcome as it comes (fdi-provision local prints a link for each finished run). */
    private readonly onOutcome?: (outcome: RecordOutcome) => void,
  ) {}

  /** Queues an event behind those received before it. */
  push(event: E): void {
    this.tail = this.tail.then(() => this.invoke(event));
  }

  /** Resolves when the events queued so far have been handled. */
  drained(): Promise<void> {
    return this.tail;
  }

  /** Resolves when every event received so far has been handled, and those events raised no more. */
  async idle(): Promise<void> {
    // Handling an event may write objects that raise new events (continuations): wait until quiet.
    for (;;) {
      const tail = this.tail;
      await tail;
      await new Promise((r) => setTimeout(r, QUIET_MS));
      if (tail === this.tail) return;
    }
  }

  private async invoke(event: E): Promise<void> {
    const started = Date.now();
    try {
      const remaining = () => this.budgetMs - (Date.now() - started);
      const outcomes = await this.handler(event, remaining);
      this.outcomes.push(...outcomes);
      for (const o of outcomes) this.onOutcome?.(o);
    } catch (err) {
      // Logged, not rethrown: the queue goes on with the next event. Lambda would retry the failed
      // event (FunctionGraph when its async retry is configured); the local stack does not.
      this.logger.error({ err: (err as Error).message }, 'handler failed');
    }
  }
}
