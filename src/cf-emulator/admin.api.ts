// The admin side: seed apps, move simulated time, inject and clear faults, read the request log. The same object
// backs the /_emulator HTTP routes and CfEmulatorHandle.admin.
import { EmulatorAdminBase } from '../common/emulator-admin.js';
import { timestampOf, type SimulatedClock } from './clock.js';
import type { DropSpec, FaultInjector, UnhealthyDropletSpec } from './fault-injector.js';
import type { Foundation } from './foundation.js';
import type { LoggedRequest, RequestLog } from './request-log.js';

export interface ClockAnswer {
  readonly now: string;
  /** Whether an upload is processing, a build staging or a deployment rolling (one that can finish). */
  readonly busy: boolean;
}

export interface AppSeed {
  readonly org: string;
  readonly space: string;
  readonly app: string;
  /** Web instances (default 1). */
  readonly instances?: number;
  /** Default false: a new app is STOPPED with no droplet, as `POST /v3/apps` leaves it. */
  readonly started?: boolean;
}

export interface SeededApp {
  readonly orgGuid: string;
  readonly spaceGuid: string;
  readonly appGuid: string;
}

/** `settle` stops after this much simulated time even if something is still going. */
const DEFAULT_SETTLE_SECONDS = 3600;

function requiredName(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new RangeError(`${field} must be a non-empty name`);
  return value;
}

export class CfEmulatorAdmin extends EmulatorAdminBase<FaultInjector, LoggedRequest> {
  constructor(
    private readonly clock: SimulatedClock,
    private readonly foundation: Foundation,
    faultInjector: FaultInjector,
    requestLog: RequestLog,
  ) {
    super(faultInjector, requestLog);
  }

  /** Makes the org, space and app when missing (apps have no create call here) and answers their guids. */
  seedApp(seed: AppSeed): SeededApp {
    const instances = seed.instances ?? 1;
    if (!Number.isInteger(instances) || instances < 1) throw new RangeError('instances must be a whole number ≥ 1');
    const app = this.foundation.ensureApp({
      org: requiredName(seed.org, 'org'),
      space: requiredName(seed.space, 'space'),
      app: requiredName(seed.app, 'app'),
      instances,
      started: seed.started === true,
    });
    const space = this.foundation.spaces.get(app.spaceGuid)!;
    return { orgGuid: space.orgGuid, spaceGuid: space.guid, appGuid: app.guid };
  }

  /** Moves simulated time on by `seconds` (tokens expire, builds stage, deployments roll). */
  tick(seconds: number): ClockAnswer {
    if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError('seconds must be a number ≥ 0');
    this.clock.advance(seconds);
    this.foundation.sync();
    return this.clockAnswer();
  }

  /** Moves time on a second at a time until nothing is busy or `maxSeconds` have passed (canary pauses stay). */
  settle(maxSeconds = DEFAULT_SETTLE_SECONDS): ClockAnswer {
    if (!Number.isFinite(maxSeconds) || maxSeconds < 0) throw new RangeError('maxSeconds must be a number ≥ 0');
    for (let passed = 0; passed < maxSeconds && this.foundation.busy(); passed++) this.tick(1);
    return this.clockAnswer();
  }

  clockAnswer(): ClockAnswer {
    return { now: timestampOf(this.clock.now()), busy: this.foundation.busy() };
  }

  dropConnections(spec: DropSpec): void {
    this.faultInjector.dropConnections(spec);
  }

  unhealthyDroplet(spec: UnhealthyDropletSpec): void {
    this.faultInjector.unhealthyDroplet(spec);
  }
}
