import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CliError } from '../api-client.js';
import { rollbackRequest } from './rollback.js';

const usageError = (error: unknown) => error instanceof CliError && error.exitCode === 2;

describe('rollbackRequest', () => {
  it('rolls back every candidate of a job with --all', () => {
    assert.deepEqual(rollbackRequest({ job: 'j1', all: true, wait: true }), { route: '/api/jobs/j1/rollback', body: { all: true, checkOnly: false, force: false } });
  });

  it('names components with --component, and passes check-only, force and tests', () => {
    assert.deepEqual(rollbackRequest({ job: 'j1', component: ['ApexClass:A', 'CustomField:Invoice__c.Amount__c'], 'check-only': true, force: true, 'test-level': 'RunSpecifiedTests', 'run-tests': 'ATest, BTest' }), {
      route: '/api/jobs/j1/rollback',
      body: {
        components: [{ type: 'ApexClass', fullName: 'A' }, { type: 'CustomField', fullName: 'Invoice__c.Amount__c' }],
        checkOnly: true,
        force: true,
        testLevel: 'RunSpecifiedTests',
        runTests: ['ATest', 'BTest'],
      },
    });
  });

  it('rolls back the latest deploy of a branch to an org with --branch --org --last --all', () => {
    assert.deepEqual(rollbackRequest({ branch: 'main', org: 'Local Sandbox', last: true, all: true }), {
      route: '/api/branches/main/rollback',
      body: { orgId: 'Local Sandbox', all: true, checkOnly: false, force: false },
    });
  });

  it('refuses a job rollback that picks nothing, or both --all and --component', () => {
    assert.throws(() => rollbackRequest({ job: 'j1' }), usageError);
    assert.throws(() => rollbackRequest({ job: 'j1', all: true, component: ['ApexClass:A'] }), usageError);
  });

  it('refuses mixing --job with --branch, and a branch rollback without --last and --all', () => {
    assert.throws(() => rollbackRequest({ job: 'j1', all: true, branch: 'main' }), usageError);
    assert.throws(() => rollbackRequest({ branch: 'main', org: 'O', all: true }), usageError);
    assert.throws(() => rollbackRequest({ branch: 'main', org: 'O', last: true, all: true, component: ['ApexClass:A'] }), usageError);
    assert.throws(() => rollbackRequest({}), usageError);
  });

  it('refuses a component without a type', () => {
    assert.throws(() => rollbackRequest({ job: 'j1', component: ['Foo'] }), (e: unknown) => usageError(e) && /Type:FullName/.test((e as Error).message));
  });
});
