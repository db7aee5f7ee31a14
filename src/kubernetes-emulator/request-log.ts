// The API requests the emulator served, in order: tests count the calls a client made (the mutating ones above all).

export interface LoggedRequest {
  readonly method: string;
  /** The path without the query string, e.g. /apis/apps/v1/namespaces/default/deployments/web. */
  readonly path: string;
}

/** Past this many entries the oldest go (a long-running Local Cluster must not grow without end). */
const MAX_ENTRIES = 100_000;

export class RequestLog {
  private entries: LoggedRequest[] = [];

  record(method: string, path: string): void {
    this.entries.push({ method, path });
    if (this.entries.length > MAX_ENTRIES) this.entries.splice(0, this.entries.length - MAX_ENTRIES);
  }

  list(): LoggedRequest[] {
    return [...this.entries];
  }

  reset(): void {
    this.entries = [];
  }
}
