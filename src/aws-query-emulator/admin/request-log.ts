// The AWS calls the emulator received, in order: tests count the calls a client made.
import type { AwsService } from './fault-injector.js';

export interface LoggedRequest {
  readonly service: AwsService;
  readonly action: string;
}

/** Past this many entries the oldest go. */
const MAX_ENTRIES = 100_000;

export class RequestLog {
  private entries: LoggedRequest[] = [];

  record(service: AwsService, action: string): void {
    this.entries.push({ service, action });
    if (this.entries.length > MAX_ENTRIES) this.entries.splice(0, this.entries.length - MAX_ENTRIES);
  }

  list(): LoggedRequest[] {
    return [...this.entries];
  }

  reset(): void {
    this.entries = [];
  }
}
