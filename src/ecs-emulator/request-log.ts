// The ECS calls the emulator received, in order: tests count the calls a client made (the mutating ones above all).

export interface LoggedRequest {
  /** The operation of X-Amz-Target, e.g. UpdateService. */
  readonly operation: string;
  /** The body as sent (JSON), for asserting what a client asked for. */
  readonly input: unknown;
}

/** Past this many entries the oldest go (a long-running emulator must not grow without end). */
const MAX_ENTRIES = 100_000;

export class RequestLog {
  private entries: LoggedRequest[] = [];

  record(operation: string, input: unknown): void {
    this.entries.push({ operation, input });
    if (this.entries.length > MAX_ENTRIES) this.entries.splice(0, this.entries.length - MAX_ENTRIES);
  }

  list(): LoggedRequest[] {
    return [...this.entries];
  }

  reset(): void {
    this.entries = [];
  }
}
