/**
 * The emulator's pending waits (latency, hangs). Closing the emulator ends them all at once, so a
 * test's `close()` never waits out a two-minute hang.
 */

/** Timed waits that end early, all together, when the emulator closes. */
export class Waits {
  private readonly pending = new Set<{ timer: NodeJS.Timeout; end: () => void }>();
  private ended = false;

  /** Whether close() has been called: requests still in the pipeline stop. */
  get closed(): boolean {
    return this.ended;
  }

  /** Waits `ms`; ends early (resolving) when the emulator closes. */
  wait(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.pending.delete(entry);
          resolve();
        }, ms),
        end: resolve,
      };
      this.pending.add(entry);
    });
  }

  /** Ends every wait at once. */
  close(): void {
    this.ended = true;
    for (const entry of this.pending) {
      clearTimeout(entry.timer);
      entry.end();
    }
    this.pending.clear();
  }
}
