// The API requests the emulator served, in order, with the operation each was: tests count a client's calls.
import { CallLog } from '../common/emulator-admin.js';

export interface LoggedRequest {
  readonly method: string;
  /** Without the query string, e.g. /v3/deployments. */
  readonly path: string;
  /** The emulator's name for the call (`createDeployment`, `token`, …); undefined for unknown paths. */
  readonly operation?: string;
}

/** Bounded (src/common/emulator-admin.ts). */
export class RequestLog extends CallLog<LoggedRequest> {
  record(entry: LoggedRequest): void {
    this.add(entry);
  }
}
