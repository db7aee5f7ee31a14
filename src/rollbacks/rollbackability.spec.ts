import { describe, it, expect } from '@jest/globals';
import { rollbackability, type DeployFacts } from './rollback-plan.js';

const facts = (o: Partial<DeployFacts> = {}): DeployFacts => ({
  kind: 'Deploy',
  status: 'Exception',
  checkOnly: false,
  salesforceStatus: null,
  snapshotStatus: 'complete',
  snapshotExpiresAt: null,
  ...o,
});

describe('rollbackability of deploys that ended in Exception', () => {
  it('says nothing was deployed when the job never reached Salesforce', () => {
    const verdict = rollbackability(facts({ submitted: false, snapshotStatus: 'open' }), 30);
    expect(verdict.rollbackable).toBe(false);
    expect(verdict.reason).toMatch(/before reaching Salesforce, so nothing was deployed/);
  });

  it('says the outcome is unknown when the submission was lost and nothing was learned', () => {
    const verdict = rollbackability(facts({ submitted: true, snapshotStatus: 'open' }), 30);
    expect(verdict.rollbackable).toBe(false);
    expect(verdict.reason).toMatch(/unknown/);
    expect(verdict.reason).not.toMatch(/applied none of it/);
  });

  it('names the Salesforce status when Salesforce applied none of it', () => {
    expect(rollbackability(facts({ submitted: true, salesforceStatus: 'Canceled' }), 30).reason).toMatch(
      /applied none of it \(Salesforce: Canceled\)/,
    );
  });

  it('allows a deploy whose outcome was read from the org, once its snapshot is sealed', () => {
    expect(rollbackability(facts({ submitted: true, outcomeSource: 'org' }), 30).rollbackable).toBe(true);
    expect(
      rollbackability(facts({ submitted: true, outcomeSource: 'org', snapshotStatus: 'open' }), 30).rollbackable,
    ).toBe(false);
  });

  it('allows a deploy Salesforce reported Succeeded although the job ended in Exception afterwards', () => {
    expect(rollbackability(facts({ submitted: true, salesforceStatus: 'Succeeded' }), 30).rollbackable).toBe(true);
  });

  it('asks to wait for a deploy still In Progress', () => {
    expect(rollbackability(facts({ status: 'In Progress' }), 30).reason).toMatch(/wait until it is Completed/);
  });
});
