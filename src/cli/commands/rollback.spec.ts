import { describe, it, expect } from '@jest/globals';
import { currentDeployment, platformRollbackTarget, rollbackRequest } from './rollback.js';

/** A CliError with exit code 2 (invalid usage). */
const usageError = expect.objectContaining({ name: 'CliError', exitCode: 2 });

describe('rollbackRequest', () => {
  it('rolls back every candidate of a job with --all', () => {
    expect(rollbackRequest({ job: 'j1', all: true, wait: true })).toEqual({
      route: '/api/jobs/j1/rollback',
      body: { all: true, checkOnly: false, force: false },
    });
  });

  it('names components with --component, and passes check-only, force and tests', () => {
    expect(
      rollbackRequest({
        job: 'j1',
        component: ['ApexClass:A', 'CustomField:Invoice__c.Amount__c'],
        'check-only': true,
        force: true,
        'test-level': 'RunSpecifiedTests',
        'run-tests': 'ATest, BTest',
      }),
    ).toEqual({
      route: '/api/jobs/j1/rollback',
      body: {
        components: [
          { type: 'ApexClass', fullName: 'A' },
          { type: 'CustomField', fullName: 'Invoice__c.Amount__c' },
        ],
        checkOnly: true,
        force: true,
        testLevel: 'RunSpecifiedTests',
        runTests: ['ATest', 'BTest'],
      },
    });
  });

  it('sends acceptDataLoss with --accept-data-loss, on both routes', () => {
    expect(rollbackRequest({ job: 'j1', all: true, 'accept-data-loss': true }).body).toEqual({
      all: true,
      checkOnly: false,
      force: false,
      acceptDataLoss: true,
    });
    expect(
      rollbackRequest({ branch: 'main', org: 'Sandbox', last: true, all: true, 'accept-data-loss': true }).body,
    ).toMatchObject({ acceptDataLoss: true });
  });

  it('rolls back the latest deploy of a branch to an org with --branch --org --last --all', () => {
    expect(rollbackRequest({ branch: 'main', org: 'Local Sandbox', last: true, all: true })).toEqual({
      route: '/api/branches/main/rollback',
      body: { orgId: 'Local Sandbox', all: true, checkOnly: false, force: false },
    });
  });

  it('asks for the versions a deploy created to be deleted with --delete-flow-versions', () => {
    expect(rollbackRequest({ job: 'j1', all: true, 'delete-flow-versions': true })).toEqual({
      route: '/api/jobs/j1/rollback',
      body: { all: true, checkOnly: false, force: false, deleteFlowVersions: true },
    });
    expect(
      rollbackRequest({ branch: 'main', org: 'Local Sandbox', last: true, all: true, 'delete-flow-versions': true })
        .body,
    ).toMatchObject({ deleteFlowVersions: true });
  });

  it('refuses a job rollback that picks nothing, or both --all and --component', () => {
    expect(() => rollbackRequest({ job: 'j1' })).toThrow(usageError);
    expect(() => rollbackRequest({ job: 'j1', all: true, component: ['ApexClass:A'] })).toThrow(usageError);
  });

  it('refuses mixing --job with --branch, and a branch rollback without --last and --all', () => {
    expect(() => rollbackRequest({ job: 'j1', all: true, branch: 'main' })).toThrow(usageError);
    expect(() => rollbackRequest({ branch: 'main', org: 'O', all: true })).toThrow(usageError);
    expect(() =>
      rollbackRequest({ branch: 'main', org: 'O', last: true, all: true, component: ['ApexClass:A'] }),
    ).toThrow(usageError);
    expect(() => rollbackRequest({})).toThrow(usageError);
  });

  it('refuses a component without a type', () => {
    expect(() => rollbackRequest({ job: 'j1', component: ['Foo'] })).toThrow(usageError);
    expect(() => rollbackRequest({ job: 'j1', component: ['Foo'] })).toThrow(/Type:FullName/);
  });
});

describe('platformRollbackTarget', () => {
  it('is null for a Salesforce rollback', () => {
    expect(platformRollbackTarget({ job: 'j1', all: true })).toBeNull();
  });

  it('names an execution, or a service and infrastructure with --last, with force and accept-data-loss', () => {
    expect(platformRollbackTarget({ execution: 'e1' })).toEqual({
      execution: 'e1',
      force: false,
      acceptDataLoss: false,
    });
    expect(platformRollbackTarget({ execution: 'e1', 'accept-data-loss': true })).toMatchObject({
      acceptDataLoss: true,
    });
    expect(
      platformRollbackTarget({ service: 'checkout', infrastructure: 'Local Cluster', last: true, force: true }),
    ).toEqual({
      service: 'checkout',
      infrastructure: 'Local Cluster',
      force: true,
      acceptDataLoss: false,
    });
  });

  it('refuses Salesforce options, a missing --last or infrastructure, and --execution with --service', () => {
    expect(() => platformRollbackTarget({ execution: 'e1', all: true })).toThrow(usageError);
    expect(() => platformRollbackTarget({ execution: 'e1', component: ['ApexClass:A'] })).toThrow(
      /--component is for Salesforce/,
    );
    expect(() => platformRollbackTarget({ service: 'checkout', infrastructure: 'I' })).toThrow(usageError);
    expect(() => platformRollbackTarget({ service: 'checkout', last: true })).toThrow(usageError);
    expect(() => platformRollbackTarget({ execution: 'e1', service: 'checkout' })).toThrow(usageError);
  });
});

describe('currentDeployment', () => {
  const instance = (available: boolean, status?: number) => ({
    environment: 'production',
    infrastructure: { id: 'i1', name: 'Prod', kind: 'kubernetes' },
    artifact: 'nginx:1.27',
    current: { executionId: 'e2', pipeline: { id: 'p', name: 'shop' }, artifact: 'nginx:1.27', finishedAt: 'x' },
    previous: null,
    rollback: available ? { available } : { available, status, reason: 'The token lacks rollback in production.' },
  });

  it('answers the execution of the current deployment on the infrastructure, by name or id', () => {
    expect(currentDeployment([instance(true)], 'checkout', 'Prod')).toEqual({ executionId: 'e2' });
    expect(currentDeployment([instance(true)], 'checkout', 'i1')).toEqual({ executionId: 'e2' });
  });

  it("refuses with the server's status and reason when it cannot be rolled back", () => {
    expect(() => currentDeployment([instance(false, 403)], 'checkout', 'Prod')).toThrow(
      expect.objectContaining({ exitCode: 3, message: expect.stringMatching(/lacks rollback in production/) }),
    );
    expect(() => currentDeployment([instance(false, 410)], 'checkout', 'Prod')).toThrow(usageError);
  });
});
