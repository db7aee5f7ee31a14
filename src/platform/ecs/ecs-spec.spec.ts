import { describe, expect, it } from '@jest/globals';
import { AppError } from '../../common/errors.js';
import { parseEcsSpec, unresolvedField } from './ecs-spec.js';

const spec = {
  cluster: 'prod',
  service: 'web',
  taskDefinitionFamily: 'web',
  containerName: 'app',
  image: '<+artifact.image>',
};

function refusal(input: unknown): string {
  try {
    parseEcsSpec(input);
  } catch (error) {
    expect((error as AppError).status).toBe(400);
    return (error as AppError).message;
  }
  throw new Error('accepted');
}

describe('parseEcsSpec', () => {
  it('takes the five names and keeps expressions as strings', () => {
    expect(parseEcsSpec(spec)).toEqual(spec);
    expect(
      parseEcsSpec({ ...spec, service: '<+pipeline.name>-svc', desiredCount: '<+variables.COUNT>' }),
    ).toMatchObject({
      service: '<+pipeline.name>-svc',
      desiredCount: '<+variables.COUNT>',
    });
  });

  it('turns a whole-number string into a number and keeps the optional create fields', () => {
    const parsed = parseEcsSpec({
      ...spec,
      desiredCount: '3',
      deploymentCircuitBreaker: { enable: true, rollback: true },
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'], assignPublicIp: 'DISABLED' } },
    });
    expect(parsed.desiredCount).toBe(3);
    expect(parsed.launchType).toBe('FARGATE');
    expect(parseEcsSpec(spec)).not.toHaveProperty('desiredCount');
  });

  it('is a 400 naming the field', () => {
    expect(refusal({ ...spec, cluster: undefined })).toMatch(/cluster: is required/);
    expect(refusal({ ...spec, service: 'web app' })).toMatch(/service: must be an ECS service name/);
    expect(refusal({ ...spec, desiredCount: -1 })).toMatch(/desiredCount/);
    expect(refusal({ ...spec, desiredCount: '9999' })).toMatch(/desiredCount: must be a whole number from 0 to 5000/);
    expect(refusal({ ...spec, deploymentCircuitBreaker: { enable: true } })).toMatch(
      /deploymentCircuitBreaker.rollback: is required/,
    );
    expect(refusal({ ...spec, replicas: 2 })).toMatch(/unknown field\(s\) replicas/);
    expect(refusal({ ...spec, image: '' })).toMatch(/image/);
  });

  it('is pure: the same input gives the same answer', () => {
    expect(parseEcsSpec(spec)).toEqual(parseEcsSpec(structuredClone(spec)));
  });
});

describe('unresolvedField', () => {
  it('names a field that still holds an expression or is no ECS name once resolved', () => {
    expect(unresolvedField({ ...spec, image: 'nginx:1.27' })).toBeNull();
    expect(unresolvedField(spec)).toBe('image');
    expect(unresolvedField({ ...spec, image: 'x', service: '-svc x' })).toBe('service');
    expect(unresolvedField({ ...spec, image: 'x', desiredCount: '<+variables.COUNT>' })).toBe('desiredCount');
  });
});
