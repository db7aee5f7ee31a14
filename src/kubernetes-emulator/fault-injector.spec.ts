import { describe, expect, it } from '@jest/globals';
import { FaultInjector, reasonForCode } from './fault-injector.js';

describe('FaultInjector', () => {
  it('fails matching requests as many times as asked, with the Kubernetes reason for the code', () => {
    const faults = new FaultInjector();
    faults.failRequests({ method: 'patch', resource: 'deployments', code: 409, times: 2 });
    const request = { method: 'PATCH', resource: 'deployments', namespace: 'default', name: 'web' };
    expect(faults.takeApiError({ ...request, method: 'GET' })).toBeUndefined();
    expect(faults.takeApiError(request)).toMatchObject({ code: 409, reason: 'Conflict' });
    expect(faults.snapshot().apiErrors[0]?.remaining).toBe(1);
    expect(faults.takeApiError(request)).toBeDefined();
    expect(faults.takeApiError(request)).toBeUndefined();
    expect(() => faults.failRequests({ code: 302 })).toThrow(RangeError);
    expect(reasonForCode(418)).toBe('Unknown');
  });

  it('matches unavailable rollouts by namespace, deployment and image', () => {
    const faults = new FaultInjector();
    faults.neverAvailable({ namespace: 'prod', image: 'web:bad' });
    expect(faults.isUnavailable({ namespace: 'prod', deployment: 'web', images: ['web:bad', 'proxy:1'] })).toBe(true);
    expect(faults.isUnavailable({ namespace: 'dev', deployment: 'web', images: ['web:bad'] })).toBe(false);
    expect(faults.isUnavailable({ namespace: 'prod', deployment: 'web', images: ['web:good'] })).toBe(false);
    faults.clear();
    expect(faults.isUnavailable({ namespace: 'prod', images: ['web:bad'] })).toBe(false);
  });

  it('adds up the latencies that apply to a request', () => {
    const faults = new FaultInjector();
    faults.addLatency({ ms: 100 });
    faults.addLatency({ method: 'GET', resource: 'pods', ms: 50 });
    expect(faults.latencyFor({ method: 'GET', resource: 'pods' })).toBe(150);
    expect(faults.latencyFor({ method: 'POST', resource: 'pods' })).toBe(100);
    expect(() => faults.addLatency({ ms: -1 })).toThrow(RangeError);
  });
});
