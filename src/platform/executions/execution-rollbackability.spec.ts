import { describe, it, expect } from '@jest/globals';
import { executionRollbackability, type ExecutionRollbackFacts } from './execution-rollbackability.js';
import type { Scope } from '../../auth/permissions.js';

const now = new Date('2026-12-02T12:00:00Z');
const facts: ExecutionRollbackFacts = {
  id: 'exec-1',
  kind: 'Deploy',
  status: 'Completed',
  finishedAt: new Date('2026-12-01T12:00:00Z'),
  ignoredFailures: [],
  rollbackJobId: null,
  superseded: [],
  environments: ['dev', 'uat'],
};
const admin: Scope = { permissions: ['admin'], environments: null };
const verdict = (f: Partial<ExecutionRollbackFacts>, scope: Scope = admin) =>
  executionRollbackability({ ...facts, ...f }, scope, 30, now);

describe('executionRollbackability', () => {
  it('offers the rollback of a Completed execution that is current everywhere', () => {
    expect(verdict({})).toEqual({ available: true });
  });

  it('refuses (409) an execution that is not Completed, saying to wait while it runs', () => {
    expect(verdict({ status: 'In Progress' })).toMatchObject({ available: false, status: 409 });
    expect(verdict({ status: 'In Progress' })).toHaveProperty('reason', expect.stringContaining('wait until'));
    expect(verdict({ status: 'Exception' })).toMatchObject({
      status: 409,
      reason: 'Only a Completed execution can be rolled back: this one is Exception.',
    });
  });

  it('refuses (409) a Rollback', () => {
    expect(verdict({ kind: 'Rollback' })).toMatchObject({
      status: 409,
      reason: expect.stringContaining('is a Rollback'),
    });
  });

  it('refuses (409) an execution marked successful by ignoring a failure, naming the stage', () => {
    expect(verdict({ ignoredFailures: ['smoke'] })).toMatchObject({
      status: 409,
      reason: expect.stringContaining('marked successful by ignoring a failure (stage "smoke"'),
    });
  });

  it('refuses (409) an execution already rolled back, naming the rollback', () => {
    expect(verdict({ rollbackJobId: 'rb-9' })).toMatchObject({
      status: 409,
      rollbackJobId: 'rb-9',
      reason: expect.stringContaining('already rolled back (Rollback rb-9)'),
    });
  });

  it('refuses (409) an execution a previous release was redeployed over, naming that deployment', () => {
    expect(verdict({ rollbackJobId: 'ex-7', rollbackJobKind: 'Deploy' })).toMatchObject({
      status: 409,
      rollbackJobId: 'ex-7',
      reason: expect.stringContaining('already rolled back (by redeploying a previous release, execution ex-7)'),
    });
  });

  it('refuses (410) an execution older than the retention', () => {
    expect(verdict({ finishedAt: new Date('2026-11-01T11:59:00Z') })).toMatchObject({
      status: 410,
      reason: expect.stringContaining('SNAPSHOT_RETENTION_DAYS'),
    });
    expect(verdict({ finishedAt: new Date('2026-11-02T12:01:00Z') })).toEqual({ available: true });
  });

  it('refuses (409) an execution that is not the current deployment, naming the current one', () => {
    const superseded = [
      { stage: 'web', service: 'checkout', infrastructure: 'Local Cluster', currentExecutionId: 'exec-2' },
    ];
    expect(verdict({ superseded })).toMatchObject({
      status: 409,
      currentExecutionId: 'exec-2',
      reason: expect.stringContaining('not the current deployment of service "checkout" on "Local Cluster"'),
    });
  });

  it('refuses (403) unless the token holds both deploy and rollback in every stage environment', () => {
    expect(verdict({}, { permissions: ['deploy'], environments: null })).toMatchObject({
      status: 403,
      reason: expect.stringContaining('"rollback"'),
    });
    expect(verdict({}, { permissions: ['rollback'], environments: null })).toMatchObject({
      status: 403,
      reason: expect.stringContaining('"deploy"'),
    });
    expect(verdict({}, { permissions: ['deploy', 'rollback'], environments: ['dev'] })).toMatchObject({
      status: 403,
      reason: expect.stringContaining('"uat" environment'),
    });
    expect(verdict({}, { permissions: ['deploy', 'rollback'], environments: ['DEV', 'uat'] })).toEqual({
      available: true,
    });
  });

  it('says 403 before anything else, and the execution state before the current deployment', () => {
    const everything = {
      status: 'Exception',
      rollbackJobId: 'rb',
      superseded: [{ stage: 's', service: 'x', infrastructure: 'y', currentExecutionId: 'e' }],
    };
    expect(verdict(everything, { permissions: ['read'], environments: null })).toMatchObject({ status: 403 });
    expect(verdict(everything)).toMatchObject({ status: 409, reason: expect.stringContaining('Exception') });
    expect(verdict({ rollbackJobId: 'rb', superseded: everything.superseded })).toMatchObject({ rollbackJobId: 'rb' });
  });
});
