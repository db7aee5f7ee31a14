// The rolling (ECS) deployment controller as plain functions over one service's deployments: tasks start, become
// healthy or fail, old deployments drain, the primary completes, and the circuit breaker fails it (and rolls back).

export type RolloutState = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

export interface Deployment {
  readonly id: string;
  status: 'PRIMARY' | 'ACTIVE' | 'INACTIVE';
  readonly taskDefinition: string;
  desiredCount: number;
  runningCount: number;
  /** When each pending task finishes starting (epoch ms): it then runs, or fails if its tasks are unhealthy. */
  pendingTasks: number[];
  failedTasks: number;
  readonly createdAt: Date;
  updatedAt: Date;
  rolloutState: RolloutState;
  rolloutStateReason: string;
}

export interface DeploymentConfiguration {
  readonly deploymentCircuitBreaker: { readonly enable: boolean; readonly rollback: boolean };
  readonly maximumPercent: number;
  readonly minimumHealthyPercent: number;
}

export interface RolloutService {
  readonly serviceName: string;
  desiredCount: number;
  deploymentConfiguration: DeploymentConfiguration;
  /** PRIMARY first, then older ones. */
  deployments: Deployment[];
  /** The last deployment that reached COMPLETED: what the circuit breaker rolls back to. */
  lastCompleted?: { readonly deploymentId: string; readonly taskDefinition: string };
}

export interface StepContext {
  readonly now: Date;
  readonly taskStartMs: number;
  /** Whether tasks of this task definition ARN never become healthy (an admin fault). */
  readonly unhealthy: (taskDefinition: string) => boolean;
  readonly newDeploymentId: () => string;
  /** Records a service event (newest first is the caller's business). */
  readonly event: (message: string) => void;
}

export const CIRCUIT_BREAKER_FAILED_REASON = 'ECS deployment circuit breaker: tasks failed to start.';

/** Consecutive failed tasks that trip the breaker: half the desired count, at least 3 and at most 200. */
export function failedTaskThreshold(desiredCount: number): number {
  return Math.min(200, Math.max(3, Math.ceil(desiredCount / 2)));
}

/** Tasks the service may have at once (running + pending, all deployments): maximumPercent of desired. */
export function taskCeiling(desiredCount: number, maximumPercent: number): number {
  return Math.floor((desiredCount * maximumPercent) / 100);
}

/** Running tasks that must stay up during a deployment: minimumHealthyPercent of desired, rounded up. */
export function healthyFloor(desiredCount: number, minimumHealthyPercent: number): number {
  return Math.ceil((desiredCount * minimumHealthyPercent) / 100);
}

export function newDeployment(id: string, taskDefinition: string, desiredCount: number, now: Date): Deployment {
  return {
    id,
    status: 'PRIMARY',
    taskDefinition,
    desiredCount,
    runningCount: 0,
    pendingTasks: [],
    failedTasks: 0,
    createdAt: now,
    updatedAt: now,
    rolloutState: 'IN_PROGRESS',
    rolloutStateReason: 'ECS deployment ' + id + ' in progress.',
  };
}

/** Makes `deployment` the service's PRIMARY; the previous primary turns ACTIVE and launches nothing more. */
export function startDeployment(service: RolloutService, deployment: Deployment): void {
  for (const old of service.deployments) {
    old.status = 'ACTIVE';
    old.pendingTasks = [];
    old.updatedAt = deployment.createdAt;
  }
  service.deployments = [deployment, ...service.deployments];
}

const sum = (deployments: readonly Deployment[], count: (d: Deployment) => number) =>
  deployments.reduce((total, d) => total + count(d), 0);

/** One pass of the deployment controller at `context.now`. Returns whether anything changed. */
export function stepService(service: RolloutService, context: StepContext): boolean {
  const primary = service.deployments[0];
  if (!primary) return false;
  const now = context.now.getTime();
  let changed = false;
  const touch = (d: Deployment) => {
    d.updatedAt = context.now;
    changed = true;
  };

  // Tasks that finished starting run, or fail (consecutive failures count; one that runs resets them).
  const due = primary.pendingTasks.filter((at) => at <= now);
  if (due.length) {
    primary.pendingTasks = primary.pendingTasks.filter((at) => at > now);
    const unhealthy = context.unhealthy(primary.taskDefinition);
    if (unhealthy) primary.failedTasks += due.length;
    else {
      primary.runningCount += due.length;
      primary.failedTasks = 0;
    }
    if (unhealthy) context.event(`(service ${service.serviceName}) ${due.length} task(s) failed to start.`);
    touch(primary);
  }

  const breaker = service.deploymentConfiguration.deploymentCircuitBreaker;
  if (
    primary.rolloutState === 'IN_PROGRESS' &&
    breaker.enable &&
    primary.failedTasks >= failedTaskThreshold(primary.desiredCount)
  ) {
    primary.rolloutState = 'FAILED';
    primary.rolloutStateReason = CIRCUIT_BREAKER_FAILED_REASON;
    primary.pendingTasks = [];
    touch(primary);
    context.event(
      `(service ${service.serviceName}) (deployment ${primary.id}) deployment failed: tasks failed to start.`,
    );
    const target = service.lastCompleted;
    if (breaker.rollback && target !== undefined) {
      const rollback = newDeployment(
        context.newDeploymentId(),
        target.taskDefinition,
        service.desiredCount,
        context.now,
      );
      rollback.rolloutStateReason = `ECS deployment circuit breaker: rolling back to deploymentId ${target.deploymentId}.`;
      startDeployment(service, rollback);
      context.event(
        `(service ${service.serviceName}) (deployment ${primary.id}) rolling back to ${target.taskDefinition}.`,
      );
      stepService(service, context);
      return true;
    }
  }
  if (primary.rolloutState === 'FAILED') return changed;

  const config = service.deploymentConfiguration;
  const all = service.deployments;
  // Scaling in: pending tasks go first, then running ones.
  let excess = primary.runningCount + primary.pendingTasks.length - primary.desiredCount;
  if (excess > 0) {
    const dropped = Math.min(excess, primary.pendingTasks.length);
    primary.pendingTasks = primary.pendingTasks.slice(0, primary.pendingTasks.length - dropped);
    excess -= dropped;
    primary.runningCount -= excess;
    touch(primary);
  }
  // Old deployments drain while enough tasks stay running.
  const old = all.slice(1);
  let stoppable = sum(all, (d) => d.runningCount) - healthyFloor(service.desiredCount, config.minimumHealthyPercent);
  for (const deployment of [...old].reverse()) {
    const stop = Math.min(deployment.runningCount, Math.max(0, stoppable));
    if (stop > 0) {
      deployment.runningCount -= stop;
      stoppable -= stop;
      touch(deployment);
    }
  }
  // The primary launches up to its desired count, within maximumPercent of the service.
  const room =
    taskCeiling(service.desiredCount, config.maximumPercent) - sum(all, (d) => d.runningCount + d.pendingTasks.length);
  const launch = Math.min(room, primary.desiredCount - primary.runningCount - primary.pendingTasks.length);
  if (launch > 0) {
    for (let i = 0; i < launch; i++) primary.pendingTasks.push(now + context.taskStartMs);
    context.event(`(service ${service.serviceName}) has started ${launch} tasks.`);
    touch(primary);
  }
  // Drained deployments turn INACTIVE and leave the list once the primary runs its desired count: until then a
  // deployment the circuit breaker failed stays visible (ACTIVE, rolloutState FAILED) beside its rollback.
  const settled = primary.runningCount === primary.desiredCount && primary.pendingTasks.length === 0;
  const drained = settled ? old.filter((d) => d.runningCount === 0 && d.pendingTasks.length === 0) : [];
  if (drained.length) {
    for (const d of drained) d.status = 'INACTIVE';
    service.deployments = all.filter((d) => !drained.includes(d));
    changed = true;
  }
  if (
    primary.rolloutState === 'IN_PROGRESS' &&
    service.deployments.length === 1 &&
    primary.runningCount === primary.desiredCount &&
    primary.pendingTasks.length === 0
  ) {
    primary.rolloutState = 'COMPLETED';
    primary.rolloutStateReason = `ECS deployment ${primary.id} completed.`;
    service.lastCompleted = { deploymentId: primary.id, taskDefinition: primary.taskDefinition };
    touch(primary);
    context.event(`(service ${service.serviceName}) (deployment ${primary.id}) deployment completed.`);
    context.event(`(service ${service.serviceName}) has reached a steady state.`);
  }
  return changed;
}

/** Whether the service is still moving: its primary deployment rolling out, or tasks of a scale-out starting. */
export const isRolling = (service: RolloutService) => {
  const primary = service.deployments[0];
  return (
    primary?.rolloutState === 'IN_PROGRESS' ||
    (primary?.rolloutState === 'COMPLETED' && primary.pendingTasks.length > 0)
  );
};
