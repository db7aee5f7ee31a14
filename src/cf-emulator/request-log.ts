// The API requests the emulator served, in order, with the operation each was: tests count a client's calls.

export interface LoggedRequest {
  readonly method: string;
  /** Without the query string, e.g. /v3/deployments. */
  readonly path: string;
  /** The emulator's name for the call (`createDeployment`, `token`, …); undefined for unknown paths. */
  readonly operation?: string;
}

/** Past this many entries the oldest go. */
const MAX_ENTRIES = 100_000;

export class RequestLog {
  private entries: LoggedRequest[] = [];

  record(entry: LoggedRequest): void {
    this.entries.push(entry);
    if (this.entries.length > MAX_ENTRIES) this.entries.splice(0, this.entries.length - MAX_ENTRIES);
  }

  list(): LoggedRequest[] {
    return [...this.entries];
  }

  reset(): void {
    this.entries = [];
  }
}
