// The API requests the emulator served, in order: tests count the calls a client made (the mutating ones above all).
import { CallLog } from '../common/emulator-admin.js';

export interface LoggedRequest {
  readonly method: string;
  /** The path without the query string, e.g. /apis/apps/v1/namespaces/default/deployments/web. */
  readonly path: string;
}

/** Bounded (src/common/emulator-admin.ts). */
export class RequestLog extends CallLog<LoggedRequest> {
  record(method: string, path: string): void {
    this.add({ method, path });
  }
}
