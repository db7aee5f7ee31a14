// The AWS calls the emulator received, in order: tests count the calls a client made.
import { CallLog } from '../../common/emulator-admin.js';
import type { AwsService } from './fault-injector.js';

export interface LoggedRequest {
  readonly service: AwsService;
  readonly action: string;
}

/** Bounded (src/common/emulator-admin.ts). */
export class RequestLog extends CallLog<LoggedRequest> {
  record(service: AwsService, action: string): void {
    this.add({ service, action });
  }
}
