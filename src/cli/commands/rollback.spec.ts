import { describe, it, expect } from '@jest/globals';
import { rollbackRequest } from './rollback.js';

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
