import { describe, expect, it } from '@jest/globals';
import { FaultInjector } from './fault-injector.js';

describe('FaultInjector', () => {
  it('fails the next matching calls as many times as asked, then serves them again', () => {
    const faults = new FaultInjector();
    faults.failRequests({ action: 'SetDesiredCapacity', code: 'ResourceContention', status: 500, times: 2 });
    expect(faults.takeApiError('DescribeAutoScalingGroups')).toBeUndefined();
    expect(faults.takeApiError('SetDesiredCapacity')).toMatchObject({ code: 'ResourceContention', status: 500 });
    expect(faults.snapshot().apiErrors[0]?.remaining).toBe(1);
    expect(faults.takeApiError('SetDesiredCapacity')).toBeDefined();
    expect(faults.takeApiError('SetDesiredCapacity')).toBeUndefined();
  });

  it('refuses a fault that could not be answered', () => {
    const faults = new FaultInjector();
    expect(() => faults.failRequests({ code: 'Bad Code' })).toThrow(RangeError);
    expect(() => faults.failRequests({ code: 'Throttling', status: 302 })).toThrow(RangeError);
    expect(() => faults.dropConnections({ times: 0 })).toThrow(RangeError);
    expect(() => faults.addLatency({ ms: -1 })).toThrow(RangeError);
  });

  it('drops matching connections and adds up the latencies that apply', () => {
    const faults = new FaultInjector();
    faults.dropConnections({ action: 'StartInstanceRefresh' });
    faults.addLatency({ ms: 100 });
    faults.addLatency({ action: 'DescribeInstanceRefreshes', ms: 50 });
    expect(faults.takeDrop('DescribeInstanceRefreshes')).toBe(false);
    expect(faults.takeDrop('StartInstanceRefresh')).toBe(true);
    expect(faults.takeDrop('StartInstanceRefresh')).toBe(false);
    expect(faults.latencyFor('DescribeInstanceRefreshes')).toBe(150);
    expect(faults.latencyFor('SetDesiredCapacity')).toBe(100);
    faults.clear();
    expect(faults.latencyFor('SetDesiredCapacity')).toBe(0);
  });
});
