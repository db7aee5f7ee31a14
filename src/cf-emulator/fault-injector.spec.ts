import { describe, expect, it } from '@jest/globals';
import { FaultInjector, INJECTED_DETAIL } from './fault-injector.js';

describe('FaultInjector', () => {
  it('fails the next `times` matching calls with the status and title CF uses for the code', () => {
    const faults = new FaultInjector();
    faults.failRequests({ operation: 'createDeployment', code: 10008, times: 2 });
    expect(faults.takeError('getApp')).toBeUndefined();
    const expected = { status: 422, code: 10008, title: 'CF-UnprocessableEntity', detail: INJECTED_DETAIL };
    expect(faults.takeError('createDeployment')).toEqual(expected);
    expect(faults.takeError('createDeployment')).toEqual(expected);
    expect(faults.takeError('createDeployment')).toBeUndefined();
  });

  it('matches any operation when none is named and keeps an explicit status and detail', () => {
    const faults = new FaultInjector();
    faults.failRequests({ code: 99999, status: 502, title: 'CF-Gateway', detail: 'bad gateway' });
    expect(faults.takeError('token')).toEqual({ status: 502, code: 99999, title: 'CF-Gateway', detail: 'bad gateway' });
  });

  it('refuses an unknown operation, a code without a status and a bad count', () => {
    const faults = new FaultInjector();
    expect(() => faults.failRequests({ operation: 'nope' as never })).toThrow(/^operation must be one of/);
    expect(() => faults.failRequests({ code: 12345 })).toThrow('code 12345 has no known HTTP status');
    expect(() => faults.dropConnections({ times: 0 })).toThrow('times must be a whole number ≥ 1');
    expect(() => faults.addLatency({ ms: -1 })).toThrow(RangeError);
  });

  it('drops connections a counted number of times and adds latencies up', () => {
    const faults = new FaultInjector();
    faults.dropConnections({ operation: 'getBuild' });
    faults.addLatency({ operation: 'getBuild', ms: 30 });
    faults.addLatency({ ms: 20 });
    expect(faults.takeDrop('getBuild')).toBe(true);
    expect(faults.takeDrop('getBuild')).toBe(false);
    expect(faults.latencyFor('getBuild')).toBe(50);
    expect(faults.latencyFor('getApp')).toBe(20);
  });

  it('clears everything, unhealthy droplets included', () => {
    const faults = new FaultInjector();
    faults.unhealthyDroplet({ dropletGuid: 'd1' });
    expect(faults.isUnhealthy('d1')).toBe(true);
    faults.clear();
    expect(faults.isUnhealthy('d1')).toBe(false);
    expect(faults.snapshot()).toEqual({ errors: [], latencies: [], drops: [], unhealthyDroplets: [] });
  });
});
