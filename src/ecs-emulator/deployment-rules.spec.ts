import { describe, expect, it } from '@jest/globals';
import {
  CIRCUIT_BREAKER_FAILED_REASON,
  failedTaskThreshold,
  healthyFloor,
  newDeployment,
  startDeployment,
  stepService,
  taskCeiling,
  type RolloutService,
  type StepContext,
} from './deployment-rules.js';

const TD1 = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:1';
const TD2 = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:2';
const START_MS = 10_000;

/** A service stepped by hand: `at(ms)` steps it at that time; `unhealthy` lists failing task definitions. */
function harness(desiredCount: number, breaker = { enable: true, rollback: true }, minimumHealthyPercent = 100) {
  const unhealthy = new Set<string>();
  const events: string[] = [];
  let ids = 0;
  const service: RolloutService = {
    serviceName: 'web',
    desiredCount,
    deploymentConfiguration: { deploymentCircuitBreaker: breaker, maximumPercent: 200, minimumHealthyPercent },
    deployments: [],
  };
  const context = (ms: number): StepContext => ({
    now: new Date(ms),
    taskStartMs: START_MS,
    unhealthy: (td) => unhealthy.has(td),
    newDeploymentId: () => `ecs-svc/${++ids}`,
    event: (message) => events.push(message),
  });
  const at = (ms: number) => {
    while (stepService(service, context(ms)));
  };
  const deploy = (td: string, ms: number) => {
    startDeployment(service, newDeployment(`ecs-svc/${++ids}`, td, service.desiredCount, new Date(ms)));
    at(ms);
  };
  const view = () =>
    service.deployments.map((d) => ({
      td: d.taskDefinition.slice(-5),
      status: d.status,
      running: d.runningCount,
      pending: d.pendingTasks.length,
      state: d.rolloutState,
    }));
  return { service, unhealthy, events, at, deploy, view };
}

describe('circuit breaker and capacity arithmetic', () => {
  it('trips after half the desired count of consecutive failures, at least 3 and at most 200', () => {
    expect(failedTaskThreshold(1)).toBe(3);
    expect(failedTaskThreshold(10)).toBe(5);
    expect(failedTaskThreshold(11)).toBe(6);
    expect(failedTaskThreshold(1000)).toBe(200);
  });

  it('bounds tasks by maximumPercent (down) and keeps minimumHealthyPercent running (up)', () => {
    expect(taskCeiling(3, 200)).toBe(6);
    expect(taskCeiling(3, 150)).toBe(4);
    expect(healthyFloor(3, 50)).toBe(2);
    expect(healthyFloor(3, 0)).toBe(0);
  });
});

describe('stepService', () => {
  it('launches the first deployment, runs its tasks after the start time and completes', () => {
    const h = harness(2);
    h.deploy(TD1, 0);
    expect(h.view()).toEqual([{ td: 'web:1', status: 'PRIMARY', running: 0, pending: 2, state: 'IN_PROGRESS' }]);
    h.at(START_MS - 1);
    expect(h.view()[0]?.pending).toBe(2);
    h.at(START_MS);
    expect(h.view()).toEqual([{ td: 'web:1', status: 'PRIMARY', running: 2, pending: 0, state: 'COMPLETED' }]);
    expect(h.service.lastCompleted?.taskDefinition).toBe(TD1);
    expect(h.events).toContain('(service web) has reached a steady state.');
  });

  it('replaces an old deployment: new tasks start beside the old (200%), then the old ones drain', () => {
    const h = harness(2);
    h.deploy(TD1, 0);
    h.at(START_MS);
    h.deploy(TD2, 20_000);
    expect(h.view()).toEqual([
      { td: 'web:2', status: 'PRIMARY', running: 0, pending: 2, state: 'IN_PROGRESS' },
      { td: 'web:1', status: 'ACTIVE', running: 2, pending: 0, state: 'COMPLETED' },
    ]);
    h.at(30_000);
    expect(h.view()).toEqual([{ td: 'web:2', status: 'PRIMARY', running: 2, pending: 0, state: 'COMPLETED' }]);
  });

  it('stops old tasks first when minimumHealthyPercent leaves room and maximumPercent none', () => {
    const h = harness(2, { enable: false, rollback: false }, 50);
    h.service.deploymentConfiguration = { ...h.service.deploymentConfiguration, maximumPercent: 100 };
    h.deploy(TD1, 0);
    h.at(START_MS);
    h.deploy(TD2, 20_000);
    expect(h.view().map((d) => [d.running, d.pending])).toEqual([
      [0, 1],
      [1, 0],
    ]);
    h.at(30_000);
    h.at(40_000);
    expect(h.view()).toEqual([{ td: 'web:2', status: 'PRIMARY', running: 2, pending: 0, state: 'COMPLETED' }]);
  });

  it('fails a deployment whose tasks never become healthy and rolls back to the last completed one', () => {
    const h = harness(2);
    h.deploy(TD1, 0);
    h.at(START_MS);
    h.unhealthy.add(TD2);
    h.deploy(TD2, 20_000);
    h.at(30_000); // 2 failed
    expect(h.view()[0]).toMatchObject({ td: 'web:2', state: 'IN_PROGRESS' });
    expect(h.service.deployments[0]?.failedTasks).toBe(2);
    h.at(40_000); // 4 failed ≥ 3: FAILED, and a rollback deployment of web:1 starts
    expect(h.view()).toEqual([
      { td: 'web:1', status: 'PRIMARY', running: 0, pending: 2, state: 'IN_PROGRESS' },
      { td: 'web:2', status: 'ACTIVE', running: 0, pending: 0, state: 'FAILED' },
      { td: 'web:1', status: 'ACTIVE', running: 2, pending: 0, state: 'COMPLETED' },
    ]);
    expect(h.service.deployments[1]?.rolloutStateReason).toBe(CIRCUIT_BREAKER_FAILED_REASON);
    expect(h.service.deployments[0]?.rolloutStateReason).toBe(
      'ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1.',
    );
    h.at(50_000);
    expect(h.view()).toEqual([{ td: 'web:1', status: 'PRIMARY', running: 2, pending: 0, state: 'COMPLETED' }]);
  });

  it('without rollback the failed deployment stays PRIMARY and FAILED, and the old tasks keep running', () => {
    const h = harness(2, { enable: true, rollback: false });
    h.deploy(TD1, 0);
    h.at(START_MS);
    h.unhealthy.add(TD2);
    h.deploy(TD2, 20_000);
    h.at(30_000);
    h.at(40_000);
    h.at(90_000);
    expect(h.view()).toEqual([
      { td: 'web:2', status: 'PRIMARY', running: 0, pending: 0, state: 'FAILED' },
      { td: 'web:1', status: 'ACTIVE', running: 2, pending: 0, state: 'COMPLETED' },
    ]);
    expect(h.service.deployments[0]?.rolloutStateReason).toBe(CIRCUIT_BREAKER_FAILED_REASON);
  });

  it('without a breaker keeps relaunching failing tasks, IN_PROGRESS', () => {
    const h = harness(1, { enable: false, rollback: false });
    h.unhealthy.add(TD1);
    h.deploy(TD1, 0);
    for (let ms = START_MS; ms <= 100_000; ms += START_MS) h.at(ms);
    expect(h.view()).toEqual([{ td: 'web:1', status: 'PRIMARY', running: 0, pending: 1, state: 'IN_PROGRESS' }]);
    expect(h.service.deployments[0]?.failedTasks).toBe(10);
  });

  it('a first deployment that fails has nothing to roll back to and stays FAILED', () => {
    const h = harness(1);
    h.unhealthy.add(TD1);
    h.deploy(TD1, 0);
    for (let ms = START_MS; ms <= 50_000; ms += START_MS) h.at(ms);
    expect(h.view()).toEqual([{ td: 'web:1', status: 'PRIMARY', running: 0, pending: 0, state: 'FAILED' }]);
  });

  it('scales the primary in and out without a new deployment', () => {
    const h = harness(3);
    h.deploy(TD1, 0);
    h.at(START_MS);
    h.service.desiredCount = 1;
    h.service.deployments[0]!.desiredCount = 1;
    h.at(START_MS + 1);
    expect(h.view()).toEqual([{ td: 'web:1', status: 'PRIMARY', running: 1, pending: 0, state: 'COMPLETED' }]);
  });
});
