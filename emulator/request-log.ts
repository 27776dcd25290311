/**
 * The last FDI API requests as the emulator received them (method, path, Content-Type), for tests
 * that check what a client sends — e.g. that it sends `Content-Type: application/json` on GET and
 * DELETE as Huawei's SDK does.
 */

/** One logged request. */
export interface LoggedRequest {
  method: string;
  /** The path as received, without the query string. */
  path: string;
  /** The Content-Type header, or undefined when there is none. */
  contentType: string | undefined;
}

/** How many requests the log keeps; older ones are dropped. */
export const REQUEST_LOG_SIZE = 1000;

/** A bounded log, oldest first. */
export class RequestLog {
  private entries: LoggedRequest[] = [];

  add(entry: LoggedRequest): void {
    this.entries.push(entry);
    // Dropped in batches, so a long run costs one copy per REQUEST_LOG_SIZE requests.
    if (this.entries.length >= 2 * REQUEST_LOG_SIZE) this.entries = this.entries.slice(-REQUEST_LOG_SIZE);
  }

  /** The last REQUEST_LOG_SIZE requests, oldest first (copies). */
  list(): LoggedRequest[] {
    return this.entries.slice(-REQUEST_LOG_SIZE).map((e) => ({ ...e }));
  }

  clear(): void {
    this.entries = [];
  }
}
