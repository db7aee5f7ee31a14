import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_INJECTED_PROBLEM, FaultInjector } from './fault-injector.js';

const ref = { type: 'ApexClass', fullName: 'A' };

describe('FaultInjector', () => {
  it('fails a named component in as many deploys as asked, counting each deploy once', () => {
    const faults = new FaultInjector();
    faults.failComponent({ type: 'ApexClass', fullName: 'A', times: 2, problem: 'nope' });
    const first = faults.forDeploy('org1');
    assert.equal(first(ref), 'nope');
    assert.equal(first(ref), 'nope');
    assert.equal(faults.forDeploy('org1')(ref), 'nope');
    assert.equal(faults.forDeploy('org1')(ref), undefined);
  });

  it('leaves other components and other orgs alone', () => {
    const faults = new FaultInjector();
    faults.failComponent({ orgId: 'org1', type: 'ApexClass', fullName: 'A' });
    assert.equal(faults.forDeploy('org2')(ref), undefined);
    assert.equal(faults.forDeploy('org1')({ type: 'ApexClass', fullName: 'B' }), undefined);
    assert.equal(faults.forDeploy('org1')(ref), DEFAULT_INJECTED_PROBLEM);
  });

  it('drops the connection of the next matching operation only as often as asked', () => {
    const faults = new FaultInjector();
    faults.dropConnections({ operation: 'checkDeployStatus', times: 1 });
    assert.equal(faults.takeConnectionDrop('org1', 'deploy'), undefined);
    assert.ok(faults.takeConnectionDrop('org1', 'checkDeployStatus'));
    assert.equal(faults.takeConnectionDrop('org1', 'checkDeployStatus'), undefined);
  });

  it('adds up the latencies that apply to an operation', () => {
    const faults = new FaultInjector();
    faults.addLatency({ ms: 10 });
    faults.addLatency({ ms: 5, operation: 'retrieve' });
    assert.equal(faults.latencyFor('org1', 'retrieve'), 15);
    assert.equal(faults.latencyFor('org1', 'deploy'), 10);
    faults.clear();
    assert.equal(faults.latencyFor('org1', 'retrieve'), 0);
  });
});
