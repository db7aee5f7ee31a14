import { describe, it, expect } from '@jest/globals';
import { DEFAULT_INJECTED_PROBLEM, FaultInjector } from './fault-injector.js';

const ref = { type: 'ApexClass', fullName: 'A' };

describe('FaultInjector', () => {
  it('fails a named component in as many deploys as asked, counting each deploy once', () => {
    const faults = new FaultInjector();
    faults.failComponent({ type: 'ApexClass', fullName: 'A', times: 2, problem: 'nope' });
    const first = faults.forDeploy('org1');
    expect(first(ref)).toBe('nope');
    expect(first(ref)).toBe('nope');
    expect(faults.forDeploy('org1')(ref)).toBe('nope');
    expect(faults.forDeploy('org1')(ref)).toBe(undefined);
  });

  it('leaves other components and other orgs alone', () => {
    const faults = new FaultInjector();
    faults.failComponent({ orgId: 'org1', type: 'ApexClass', fullName: 'A' });
    expect(faults.forDeploy('org2')(ref)).toBe(undefined);
    expect(faults.forDeploy('org1')({ type: 'ApexClass', fullName: 'B' })).toBe(undefined);
    expect(faults.forDeploy('org1')(ref)).toBe(DEFAULT_INJECTED_PROBLEM);
  });

  it('drops the connection of the next matching operation only as often as asked', () => {
    const faults = new FaultInjector();
    faults.dropConnections({ operation: 'checkDeployStatus', times: 1 });
    expect(faults.takeConnectionDrop('org1', 'deploy')).toBe(undefined);
    expect(faults.takeConnectionDrop('org1', 'checkDeployStatus')).toBeTruthy();
    expect(faults.takeConnectionDrop('org1', 'checkDeployStatus')).toBe(undefined);
  });

  it('drops only the deploy polls that ask for the per-component results, when told so', () => {
    const faults = new FaultInjector();
    faults.dropConnections({ operation: 'checkDeployStatus', details: true });
    expect(faults.takeConnectionDrop('org1', 'checkDeployStatus', false)).toBe(undefined);
    expect(faults.takeConnectionDrop('org1', 'checkDeployStatus', true)).toBeTruthy();
    expect(faults.takeConnectionDrop('org1', 'checkDeployStatus', true)).toBe(undefined);
  });

  it('adds up the latencies that apply to an operation', () => {
    const faults = new FaultInjector();
    faults.addLatency({ ms: 10 });
    faults.addLatency({ ms: 5, operation: 'retrieve' });
    expect(faults.latencyFor('org1', 'retrieve')).toBe(15);
    expect(faults.latencyFor('org1', 'deploy')).toBe(10);
    faults.clear();
    expect(faults.latencyFor('org1', 'retrieve')).toBe(0);
  });
});
