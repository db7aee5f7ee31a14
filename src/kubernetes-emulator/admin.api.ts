// The admin side of the emulator: move simulated time, run rollouts to their end, inject and clear faults. The same
// object backs the /_emulator HTTP routes and KubernetesEmulatorHandle.admin.
import { EmulatorAdminBase } from '../common/emulator-admin.js';
import { timestampOf, type SimulatedClock } from './clock.js';
import type { ClusterController } from './cluster-controller.js';
import type { FaultInjector, UnavailableRolloutSpec } from './fault-injector.js';
import type { LoggedRequest, RequestLog } from './request-log.js';

export interface ClockAnswer {
  readonly now: string;
  /** Whether some Deployment is still rolling out (not complete, not past its progress deadline, not paused). */
  readonly rolling: boolean;
}

/** `settle` stops after this much simulated time even if a rollout is still going (a stuck one, a long deadline). */
const DEFAULT_SETTLE_SECONDS = 3600;

export class KubernetesEmulatorAdmin extends EmulatorAdminBase<FaultInjector, LoggedRequest> {
  constructor(
    private readonly clock: SimulatedClock,
    private readonly controller: ClusterController,
    faultInjector: FaultInjector,
    private readonly podReadySeconds: number,
    requestLog: RequestLog,
  ) {
    super(faultInjector, requestLog);
  }

  /** Moves simulated time on by `seconds` and lets the controllers catch up. */
  tick(seconds: number): ClockAnswer {
    if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError('seconds must be a number ≥ 0');
    this.clock.advance(seconds);
    this.controller.sync();
    return this.clockAnswer();
  }

  /**
   * Moves simulated time on, a pod start at a time, until no Deployment is rolling out or `maxSeconds` have passed.
   * A rollout that never becomes available runs into its progress deadline if that comes first.
   */
  settle(maxSeconds = DEFAULT_SETTLE_SECONDS): ClockAnswer {
    if (!Number.isFinite(maxSeconds) || maxSeconds < 0) throw new RangeError('maxSeconds must be a number ≥ 0');
    const step = Math.max(1, this.podReadySeconds);
    this.controller.sync();
    for (let passed = 0; passed < maxSeconds && this.controller.rolling(); passed += step) this.tick(step);
    return this.clockAnswer();
  }

  clockAnswer(): ClockAnswer {
    return { now: timestampOf(this.clock.now()), rolling: this.controller.rolling() };
  }

  neverAvailable(spec: UnavailableRolloutSpec): void {
    this.faultInjector.neverAvailable(spec);
  }
}
