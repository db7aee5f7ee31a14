import { describe, expect, it } from '@jest/globals';
import { driftSentences, serviceIs } from './drift.js';
import type { EcsOutputs, LiveService } from './ecs-records.js';

const arn = (revision: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/web:${revision}`;
const outputs: EcsOutputs = {
  cluster: 'prod',
  service: 'web',
  taskDefinitionArn: arn(2),
  desiredCount: 2,
  revision: 'web:2',
  image: 'web:2',
};
const live = (patch: Partial<LiveService> = {}): LiveService => ({
  serviceArn: 'arn:aws:ecs:us-east-1:123456789012:service/prod/web',
  status: 'ACTIVE',
  taskDefinition: arn(2),
  desiredCount: 2,
  runningCount: 2,
  pendingCount: 0,
  deploymentConfiguration: { deploymentCircuitBreaker: { enable: false, rollback: false }, maximumPercent: 200 },
  deployments: [],
  events: [],
  ...patch,
});

describe('driftSentences', () => {
  it('is empty when the service is as the stage left it', () => {
    expect(driftSentences(outputs, live())).toEqual([]);
  });

  it('names a changed task definition, a changed count and a deleted service', () => {
    expect(driftSentences(outputs, live({ taskDefinition: arn(3), desiredCount: 5 }))).toEqual([
      'ECS service prod/web runs task definition web:3, the execution left web:2',
      'ECS service prod/web has desired count 5, the execution left 2',
    ]);
    expect(driftSentences(outputs, null)).toEqual(['ECS service prod/web is gone']);
  });
});

describe('serviceIs', () => {
  it('compares the task definition, the count, and the configuration or breaker when given', () => {
    expect(serviceIs(live(), { taskDefinitionArn: arn(2), desiredCount: 2 })).toBe(true);
    expect(serviceIs(live(), { taskDefinitionArn: arn(1), desiredCount: 2 })).toBe(false);
    expect(serviceIs(live(), { taskDefinitionArn: arn(2), desiredCount: 3 })).toBe(false);
    expect(
      serviceIs(live(), {
        taskDefinitionArn: arn(2),
        desiredCount: 2,
        circuitBreaker: { enable: true, rollback: true },
      }),
    ).toBe(false);
    expect(
      serviceIs(live(), {
        taskDefinitionArn: arn(2),
        desiredCount: 2,
        deploymentConfiguration: live().deploymentConfiguration,
      }),
    ).toBe(true);
  });
});
