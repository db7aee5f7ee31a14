import { describe, expect, it } from '@jest/globals';
import type { LiveDeployment, LiveService } from './ecs-records.js';
import { rolloutHealth } from './rollout-status.js';

const arn = (revision: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/web:${revision}`;

function deployment(revision: number, patch: Partial<LiveDeployment> = {}): LiveDeployment {
  return {
    id: `ecs-svc/${revision}`,
    status: 'PRIMARY',
    taskDefinition: arn(revision),
    desiredCount: 2,
    runningCount: 2,
    pendingCount: 0,
    failedTasks: 0,
    rolloutState: 'COMPLETED',
    rolloutStateReason: 'completed.',
    ...patch,
  };
}

function service(...deployments: LiveDeployment[]): LiveService {
  return {
    serviceArn: 'arn:aws:ecs:us-east-1:123456789012:service/prod/web',
    status: 'ACTIVE',
    taskDefinition: deployments[0]!.taskDefinition,
    desiredCount: 2,
    runningCount: 2,
    pendingCount: 0,
    deploymentConfiguration: null,
    deployments,
    events: [],
  };
}

const expected = { taskDefinitionArn: arn(2), desiredCount: 2 };

describe('rolloutHealth', () => {
  it('is steady once the primary completed, runs its count and is alone', () => {
    expect(rolloutHealth(service(deployment(2)), expected)).toEqual({ steady: true });
  });

  it('waits while the rollout is in progress, with the counts', () => {
    const health = rolloutHealth(
      service(
        deployment(2, { rolloutState: 'IN_PROGRESS', runningCount: 1, pendingCount: 1 }),
        deployment(1, { status: 'ACTIVE', runningCount: 1 }),
      ),
      expected,
    );
    expect(health).toEqual({
      steady: false,
      reason: 'rollout of web:2 IN_PROGRESS: 1 running, 1 pending of 2 desired; 1 older deployment(s) draining',
    });
  });

  it('waits for old deployments to drain even when the primary says COMPLETED', () => {
    const health = rolloutHealth(
      service(deployment(2), deployment(1, { status: 'ACTIVE', runningCount: 1 })),
      expected,
    );
    expect(health.steady).toBe(false);
  });

  it('fails with ECS’s reason when the deployment failed without rollback', () => {
    const health = rolloutHealth(
      service(
        deployment(2, {
          rolloutState: 'FAILED',
          rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
          runningCount: 0,
          failedTasks: 3,
        }),
        deployment(1, { status: 'ACTIVE' }),
      ),
      expected,
    );
    expect(health).toEqual({
      steady: false,
      failed: true,
      reason:
        'the deployment of web:2 failed: ECS deployment circuit breaker: tasks failed to start. (3 task(s) failed; web:1 keeps 2 task(s) running)',
    });
  });

  it('reports the circuit breaker’s own rollback: failed, naming what is live', () => {
    const health = rolloutHealth(
      service(
        deployment(1, {
          rolloutState: 'IN_PROGRESS',
          rolloutStateReason: 'ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1.',
          runningCount: 1,
        }),
        deployment(2, {
          status: 'ACTIVE',
          rolloutState: 'FAILED',
          rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
          runningCount: 0,
        }),
      ),
      expected,
    );
    expect(health).toMatchObject({ steady: false, failed: true });
    expect((health as { reason: string }).reason).toBe(
      `the deployment of web:2 failed (ECS deployment circuit breaker: tasks failed to start.) and ECS itself rolled the service back to ${arn(1)}; live now: web:1, 1/2 running`,
    );
  });

  it('knows the circuit breaker rolled back from the events once the failed deployment has left the list', () => {
    const after = {
      ...service(deployment(1, { rolloutStateReason: 'ECS deployment ecs-svc/9 completed.' })),
      events: [
        '(service web) has reached a steady state.',
        `(service web) (deployment ecs-svc/2) rolling back to ${arn(1)}.`,
        '(service web) (deployment ecs-svc/2) deployment failed: tasks failed to start.',
      ],
    };
    expect(rolloutHealth(after, { ...expected, deploymentId: 'ecs-svc/2' })).toMatchObject({
      failed: true,
      reason: expect.stringMatching(
        /and ECS itself rolled the service back to .*web:1; live now: web:1, 2\/2 running$/,
      ),
    });
    expect(rolloutHealth(after, { ...expected, deploymentId: 'ecs-svc/7' })).toMatchObject({
      reason: expect.stringMatching(/^another deployment replaced this one/),
    });
  });

  it('fails when someone else deployed over the stage, or changed the count', () => {
    expect(rolloutHealth(service(deployment(3)), expected)).toMatchObject({
      failed: true,
      reason: 'another deployment replaced this one: the service now runs web:3, 2/2 running, not web:2',
    });
    expect(rolloutHealth(service(deployment(2)), { ...expected, desiredCount: 4 })).toMatchObject({ failed: true });
  });

  it('waits while there is no primary yet', () => {
    expect(rolloutHealth(service(deployment(2, { status: 'ACTIVE' })), expected)).toMatchObject({ steady: false });
  });
});
