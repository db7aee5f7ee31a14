// The AWS calls the emulator received, in order: tests count the calls a client made.
import { CallLog } from '../../common/emulator-admin.js';
import type { AwsService } from './fault-injector.js';

export interface LoggedRequest {
  readonly service: AwsService;
  readonly action: string;
  /** TerminateInstanceInAutoScalingGroup: the instance (tests check that none is terminated twice). */
  readonly instanceId?: string;
  /** UpdateAutoScalingGroup: the launch template version it sets, when it sets one. */
  readonly launchTemplateVersion?: string;
}

/** Bounded (src/common/emulator-admin.ts). */
export class RequestLog extends CallLog<LoggedRequest> {
  record(
    service: AwsService,
    action: string,
    details: { instanceId?: string; launchTemplateVersion?: string } = {},
  ): void {
    this.add({
      service,
      action,
      ...(details.instanceId === undefined ? {} : { instanceId: details.instanceId }),
      ...(details.launchTemplateVersion === undefined ? {} : { launchTemplateVersion: details.launchTemplateVersion }),
    });
  }
}
