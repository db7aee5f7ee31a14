// The ECS calls the emulator received, in order: tests count the calls a client made (the mutating ones above all).
import { CallLog } from '../common/emulator-admin.js';

export interface LoggedRequest {
  /** The operation of X-Amz-Target, e.g. UpdateService. */
  readonly operation: string;
  /** The body as sent (JSON), for asserting what a client asked for. */
  readonly input: unknown;
}

/** Bounded (src/common/emulator-admin.ts). */
export class RequestLog extends CallLog<LoggedRequest> {
  record(operation: string, input: unknown): void {
    this.add({ operation, input });
  }
}
