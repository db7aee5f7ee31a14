// The admin side of the emulator: move simulated time, run deployments to their end, add clusters, inject and clear
// faults, read the call log. The same object backs the /_emulator HTTP routes and EcsEmulatorHandle.admin.
import { EmulatorAdminBase } from '../common/emulator-admin.js';
import type { SimulatedClock } from './clock.js';
import type { DropConnectionSpec, FaultInjector, UnhealthyTasksSpec } from './fault-injector.js';
import type { LoggedRequest, RequestLog } from './request-log.js';
import type { ServiceController } from './services.js';

export interface ClockAnswer {
  /** ISO 8601. */
  readonly now: string;
  /** Whether some service's primary deployment is still IN_PROGRESS. */
  readonly rolling: boolean;
}

/** `settle` stops after this much simulated time even if a deployment is still going (one without a breaker). */
const DEFAULT_SETTLE_SECONDS = 3600;

export class EcsEmulatorAdmin extends EmulatorAdminBase<FaultInjector, LoggedRequest> {
  constructor(
    private readonly clock: SimulatedClock,
    private readonly services: ServiceController,
    faultInjector: FaultInjector,
    private readonly taskStartSeconds: number,
    requestLog: RequestLog,
  ) {
    super(faultInjector, requestLog);
  }

  /** Moves simulated time on by `seconds`, a task start at a time, letting deployments catch up at each step. */
  tick(seconds: number): ClockAnswer {
    if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError('seconds must be a number ≥ 0');
    // A task start at a time (at most 1000 steps); with instant starts one step does it all.
    const step = this.taskStartSeconds > 0 ? Math.max(this.taskStartSeconds, seconds / 1000) : seconds;
    for (let left = seconds; left > 0; left -= step) {
      this.clock.advance(Math.min(step, left));
      this.services.sync();
    }
    this.services.sync();
    return this.clockAnswer();
  }

  /** Moves simulated time on until no deployment is IN_PROGRESS or `maxSeconds` have passed. */
  settle(maxSeconds = DEFAULT_SETTLE_SECONDS): ClockAnswer {
    if (!Number.isFinite(maxSeconds) || maxSeconds < 0) throw new RangeError('maxSeconds must be a number ≥ 0');
    const step = Math.max(1, this.taskStartSeconds);
    this.services.sync();
    for (let passed = 0; passed < maxSeconds && this.services.rolling(); passed += step) this.tick(step);
    return this.clockAnswer();
  }

  clockAnswer(): ClockAnswer {
    return { now: this.clock.now().toISOString(), rolling: this.services.rolling() };
  }

  /** Adds a cluster (ECS answers ClusterNotFoundException for one that does not exist); answers its ARN. */
  createCluster(name: string): { clusterArn: string } {
    return { clusterArn: this.services.createCluster(name) };
  }

  /** Tasks of the family (or one revision of it) never become healthy: they fail to start, again and again. */
  unhealthyTasks(spec: UnhealthyTasksSpec): void {
    this.faultInjector.unhealthyTasks(spec);
  }

  dropConnections(spec: DropConnectionSpec): void {
    this.faultInjector.dropConnections(spec);
  }
}
