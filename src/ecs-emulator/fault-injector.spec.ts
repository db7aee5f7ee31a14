import { describe, expect, it } from '@jest/globals';
import { FaultInjector } from './fault-injector.js';

describe('FaultInjector', () => {
  it('fails matching operations as many times as asked, ServerException/500 by default', () => {
    const faults = new FaultInjector();
    faults.failRequests({ operation: 'UpdateService', times: 2 });
    faults.failRequests({ operation: 'DescribeServices', errorType: 'ThrottlingException', message: 'Rate exceeded' });
    expect(faults.takeApiError('CreateService')).toBeUndefined();
    expect(faults.takeApiError('UpdateService')).toMatchObject({ type: 'ServerException', status: 500 });
    expect(faults.snapshot().apiErrors[0]?.remaining).toBe(1);
    expect(faults.takeApiError('UpdateService')).toBeDefined();
    expect(faults.takeApiError('UpdateService')).toBeUndefined();
    expect(faults.takeApiError('DescribeServices')).toEqual({
      type: 'ThrottlingException',
      message: 'Rate exceeded',
      status: 400,
    });
    expect(() => faults.failRequests({ status: 302 })).toThrow(RangeError);
    expect(() => faults.failRequests({ times: 0 })).toThrow(RangeError);
    expect(() => faults.failRequests({ operation: 7 } as never)).toThrow('operation must be a non-empty string');
  });

  it('matches unhealthy tasks by family, and by revision when one is given', () => {
    const faults = new FaultInjector();
    faults.unhealthyTasks({ family: 'web', revision: 2 });
    faults.unhealthyTasks({ family: 'api' });
    const arn = (name: string) => `arn:aws:ecs:us-east-1:123456789012:task-definition/${name}`;
    expect(faults.isUnhealthy(arn('web:2'))).toBe(true);
    expect(faults.isUnhealthy(arn('web:1'))).toBe(false);
    expect(faults.isUnhealthy(arn('api:7'))).toBe(true);
    expect(() => faults.unhealthyTasks({ family: '' })).toThrow(RangeError);
    faults.clear();
    expect(faults.isUnhealthy(arn('api:7'))).toBe(false);
  });

  it('drops connections and adds latency per operation', () => {
    const faults = new FaultInjector();
    faults.dropConnections({ operation: 'UpdateService' });
    faults.addLatency({ ms: 5 });
    faults.addLatency({ operation: 'UpdateService', ms: 10 });
    expect(faults.takeDrop('DescribeServices')).toBe(false);
    expect(faults.takeDrop('UpdateService')).toBe(true);
    expect(faults.takeDrop('UpdateService')).toBe(false);
    expect(faults.latencyFor('UpdateService')).toBe(15);
    expect(faults.latencyFor('CreateService')).toBe(5);
    expect(() => faults.addLatency({ ms: -1 })).toThrow(RangeError);
  });
});
