import { describe, expect, it } from '@jest/globals';
import { EcsError } from './ecs-error.js';
import { decodeToken, encodeToken, parseTaskDefinitionRef, TaskDefinitionRegistry } from './task-definitions.js';

const registry = () =>
  new TaskDefinitionRegistry({ region: 'eu-west-1', accountId: '111122223333' }, () => new Date(0));
const container = { name: 'app', image: 'web:1' };

describe('parseTaskDefinitionRef', () => {
  it('reads a family, a family:revision and an ARN', () => {
    expect(parseTaskDefinitionRef('web')).toEqual({ family: 'web' });
    expect(parseTaskDefinitionRef('web:3')).toEqual({ family: 'web', revision: 3 });
    expect(parseTaskDefinitionRef('arn:aws:ecs:eu-west-1:1:task-definition/web:4')).toEqual({
      family: 'web',
      revision: 4,
    });
    expect(parseTaskDefinitionRef('web:x')).toBeUndefined();
    expect(parseTaskDefinitionRef('arn:aws:ecs:eu-west-1:1:service/web')).toBeUndefined();
  });
});

describe('TaskDefinitionRegistry', () => {
  it('numbers revisions per family and finds the latest for a bare family', () => {
    const r = registry();
    expect(r.register({ family: 'web', containerDefinitions: [container] }).taskDefinitionArn).toBe(
      'arn:aws:ecs:eu-west-1:111122223333:task-definition/web:1',
    );
    r.register({ family: 'web', containerDefinitions: [container] });
    r.register({ family: 'api', containerDefinitions: [container] });
    expect(r.find('web')?.revision).toBe(2);
    expect(r.find('web:1')?.revision).toBe(1);
    expect(r.find('web:9')).toBeUndefined();
  });

  it('refuses a definition without a family or containers, naming the field', () => {
    const r = registry();
    const message = (input: Record<string, unknown>) => {
      try {
        r.register(input);
      } catch (error) {
        if (error instanceof EcsError) return `${error.type}: ${error.message}`;
      }
      return 'registered';
    };
    expect(message({ containerDefinitions: [container] })).toMatch(/^InvalidParameterException: family is required/);
    expect(message({ family: 'web' })).toMatch(/^ClientException: containerDefinitions is required/);
    expect(message({ family: 'web', containerDefinitions: [{ name: 'a' }] })).toMatch(
      /containerDefinitions\[0\]\.image/,
    );
    expect(message({ family: 'web space', containerDefinitions: [container] })).toMatch(/family must be/);
  });

  it('lists by family then revision, filtered, reversed and paged', () => {
    const r = registry();
    for (const family of ['web', 'api', 'web', 'worker']) r.register({ family, containerDefinitions: [container] });
    const names = (arns: string[]) => arns.map((a) => a.split('/')[1]);
    expect(names(r.list({}).taskDefinitionArns)).toEqual(['api:1', 'web:1', 'web:2', 'worker:1']);
    expect(names(r.list({ familyPrefix: 'w', sort: 'DESC' }).taskDefinitionArns)).toEqual([
      'worker:1',
      'web:2',
      'web:1',
    ]);
    const first = r.list({ maxResults: 3 });
    expect(names(first.taskDefinitionArns)).toEqual(['api:1', 'web:1', 'web:2']);
    const second = r.list({ maxResults: 3, nextToken: first.nextToken });
    expect(names(second.taskDefinitionArns)).toEqual(['worker:1']);
    expect(second.nextToken).toBeUndefined();
    expect(r.list({ status: 'INACTIVE' }).taskDefinitionArns).toEqual([]);
  });

  it('round-trips page tokens and refuses made-up ones', () => {
    expect(decodeToken(encodeToken(7))).toBe(7);
    expect(decodeToken(undefined)).toBe(0);
    expect(() => decodeToken('not-a-token')).toThrow(/nextToken/);
  });
});
