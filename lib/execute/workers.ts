/**
 * A fixed pool of workers over one lazy source: each worker takes the next item when it is done with
 * the last, so at most `count` items are in hand at once and the source is read only as fast as the
 * work goes. `stop()` is asked before every item; once it says so, no new item is taken.
 */
export async function runWorkers<T>(
  source: Iterator<T>,
  count: number,
  stop: () => boolean,
  work: (item: T) => Promise<void>,
): Promise<void> {
  const worker = async (): Promise<void> => {
    while (!stop()) {
      const next = source.next();
      if (next.done) return;
      await work(next.value);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, count) }, worker));
}
