import type { StageHealth } from '../provider.js';
import { revisionOf, type LiveService } from './ecs-records.js';

/** What the stage expects the service to run once it is steady. */
export interface ExpectedRollout {
  taskDefinitionArn: string;
  desiredCount: number;
  /** The deployment ECS started for the stage (when known): the events say whether the circuit breaker failed it. */
  deploymentId?: string | null;
}

/**
 * The stage's health from the service's PRIMARY deployment: COMPLETED with every desired task running and no other
 * deployment left → steady; FAILED → failed with ECS's reason; IN_PROGRESS → the counts. When the PRIMARY is not the
 * task definition the stage sent, the circuit breaker (or someone else) replaced the stage's deployment: failed, saying
 * what is live — ECS's own rollback is reported, never taken for the stage's success.
 */
export function rolloutHealth(service: LiveService, expected: ExpectedRollout): StageHealth {
  const primary = service.deployments.find((d) => d.status === 'PRIMARY');
  const want = revisionOf(expected.taskDefinitionArn);
  if (!primary) return { steady: false, reason: 'the service has no PRIMARY deployment yet' };
  const live = `${revisionOf(primary.taskDefinition)}, ${primary.runningCount}/${primary.desiredCount} running`;
  if (primary.taskDefinition !== expected.taskDefinitionArn) {
    const ours = service.deployments.find((d) => d.taskDefinition === expected.taskDefinitionArn);
    const id = expected.deploymentId;
    const breaker =
      /circuit breaker/i.test(primary.rolloutStateReason ?? '') ||
      ours?.rolloutState === 'FAILED' ||
      (!!id && service.events.some((e) => e.includes(`(deployment ${id})`) && /fail|rolling back/.test(e)));
    if (breaker)
      return {
        steady: false,
        failed: true,
        reason:
          `the deployment of ${want} failed (${ours?.rolloutStateReason ?? 'tasks failed to start'}) and ECS itself ` +
          `rolled the service back to ${primary.taskDefinition}; live now: ${live}`,
      };
    return {
      steady: false,
      failed: true,
      reason: `another deployment replaced this one: the service now runs ${live}, not ${want}`,
    };
  }
  if (primary.rolloutState === 'FAILED')
    return {
      steady: false,
      failed: true,
      reason:
        `the deployment of ${want} failed: ${primary.rolloutStateReason ?? 'no reason given'} ` +
        `(${primary.failedTasks} task(s) failed; ${describeOthers(service)})`,
    };
  if (service.desiredCount !== expected.desiredCount)
    return {
      steady: false,
      failed: true,
      reason: `the service's desired count is ${service.desiredCount}, not ${expected.desiredCount}: someone changed it`,
    };
  const settled =
    primary.runningCount === primary.desiredCount && primary.pendingCount === 0 && service.deployments.length === 1;
  if (settled && (primary.rolloutState === null || primary.rolloutState === 'COMPLETED')) return { steady: true };
  const others = service.deployments.length - 1;
  return {
    steady: false,
    reason:
      `rollout of ${want} ${primary.rolloutState ?? 'in progress'}: ${primary.runningCount} running, ` +
      `${primary.pendingCount} pending of ${primary.desiredCount} desired` +
      (others ? `; ${others} older deployment(s) draining` : ''),
  };
}

function describeOthers(service: LiveService): string {
  const running = service.deployments
    .filter((d) => d.status !== 'PRIMARY' && d.runningCount > 0)
    .map((d) => `${revisionOf(d.taskDefinition)} keeps ${d.runningCount} task(s) running`);
  return running.length ? running.join(', ') : 'no older deployment is running';
}
