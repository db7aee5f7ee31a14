import { describe, expect, it } from '@jest/globals';
import { containerImage, nextTaskDefinitionInput, registeredBy, STAGE_TAG_KEY } from './task-definition.js';

const described = {
  taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:4',
  family: 'web',
  revision: 4,
  status: 'ACTIVE',
  networkMode: 'awsvpc',
  cpu: '256',
  memory: '512',
  requiresCompatibilities: ['FARGATE'],
  compatibilities: ['EC2', 'FARGATE'],
  requiresAttributes: [],
  volumes: [],
  placementConstraints: [],
  containerDefinitions: [
    { name: 'app', image: 'registry.example/web:1', essential: true, environment: [{ name: 'A', value: '1' }] },
    { name: 'sidecar', image: 'registry.example/proxy:2' },
  ],
  registeredAt: 1_700_000_000,
  registeredBy: 'arn:aws:iam::123456789012:root',
};

describe('nextTaskDefinitionInput', () => {
  it('copies what RegisterTaskDefinition takes, replaces one container’s image and tags the stage', () => {
    const input = nextTaskDefinitionInput(described, 'app', 'registry.example/web:2', 'stage-1')!;
    expect(input).toEqual({
      family: 'web',
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      requiresCompatibilities: ['FARGATE'],
      containerDefinitions: [
        { name: 'app', image: 'registry.example/web:2', essential: true, environment: [{ name: 'A', value: '1' }] },
        { name: 'sidecar', image: 'registry.example/proxy:2' },
      ],
      tags: [{ key: STAGE_TAG_KEY, value: 'stage-1' }],
    });
    expect(described.containerDefinitions[0]!.image).toBe('registry.example/web:1');
  });

  it('is null when the base has no container of that name', () => {
    expect(nextTaskDefinitionInput(described, 'api', 'x', 's')).toBeNull();
  });
});

describe('containerImage and registeredBy', () => {
  it('read a container’s image and the stage’s tag', () => {
    expect(containerImage(described, 'sidecar')).toBe('registry.example/proxy:2');
    expect(containerImage(described, 'none')).toBeNull();
    expect(containerImage(null, 'app')).toBeNull();
    expect(registeredBy([{ key: STAGE_TAG_KEY, value: 's1' }], 's1')).toBe(true);
    expect(registeredBy([{ key: STAGE_TAG_KEY, value: 's2' }], 's1')).toBe(false);
    expect(registeredBy(undefined, 's1')).toBe(false);
  });
});
