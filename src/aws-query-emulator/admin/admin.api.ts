// The admin side of the emulator: move simulated time, let launches and refreshes run to their end, inject and clear
// faults, read the call log. The same object backs the /_emulator HTTP routes and AwsQueryEmulatorHandle.admin.
import { EmulatorAdminBase } from '../../common/emulator-admin.js';
import type { SimulatedClock } from '../clock.js';
import type { AutoScalingGroups } from '../autoscaling/groups.js';
import type { DropSpec, FaultInjector } from './fault-injector.js';
import type { LoggedRequest, RequestLog } from './request-log.js';

export interface ClockAnswer {
  readonly now: string;
  /** Whether an instance is launching or terminating, or an instance refresh is running. */
  readonly busy: boolean;
}

/** `settle` stops after this much simulated time even if something is still moving. */
const DEFAULT_SETTLE_SECONDS = 3600;

export class AwsQueryEmulatorAdmin extends EmulatorAdminBase<FaultInjector, LoggedRequest> {
  constructor(
    private readonly clock: SimulatedClock,
    private readonly groups: AutoScalingGroups,
    faultInjector: FaultInjector,
    private readonly stepSeconds: number,
    requestLog: RequestLog,
  ) {
    super(faultInjector, requestLog);
  }

  /** Moves simulated time on by `seconds` and lets the groups catch up. */
  tick(seconds: number): ClockAnswer {
    if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError('seconds must be a number ≥ 0');
    this.clock.advance(seconds);
    this.groups.sync();
    return this.clockAnswer();
  }

  /** Moves simulated time on, a launch at a time, until nothing is moving or `maxSeconds` have passed. */
  settle(maxSeconds = DEFAULT_SETTLE_SECONDS): ClockAnswer {
    if (!Number.isFinite(maxSeconds) || maxSeconds < 0) throw new RangeError('maxSeconds must be a number ≥ 0');
    const step = Math.max(1, this.stepSeconds);
    this.groups.sync();
    for (let passed = 0; passed < maxSeconds && this.groups.busy(); passed += step) this.tick(step);
    return this.clockAnswer();
  }

  clockAnswer(): ClockAnswer {
    return { now: this.clock.now().toISOString(), busy: this.groups.busy() };
  }

  dropConnections(spec: DropSpec): void {
    this.faultInjector.dropConnections(spec);
  }
}
