import { describe, it, expect } from '@jest/globals';
import {
  destructiveMembers,
  driftVerdict,
  planCandidates,
  rollbackability,
  selectCandidates,
  type Candidate,
  type DeployFacts,
  type SnapshotEntry,
} from './rollback-plan.js';

const facts = (o: Partial<DeployFacts> = {}): DeployFacts => ({
  kind: 'Deploy',
  status: 'Completed',
  checkOnly: false,
  salesforceStatus: 'Succeeded',
  snapshotStatus: 'complete',
  snapshotExpiresAt: new Date(Date.now() + 86_400_000),
  ...o,
});
const entry = (
  type: string,
  fullName: string,
  deployAction: string | null,
  o: Partial<SnapshotEntry> = {},
): SnapshotEntry => ({
  type,
  fullName,
  parentType: null,
  parentFullName: null,
  existed: deployAction !== 'create',
  deployAction,
  hasFiles: deployAction !== 'create',
  ...o,
});

describe('rollbackability', () => {
  it('allows a Completed deploy with a complete snapshot', () => {
    expect(rollbackability(facts(), 30)).toEqual({ rollbackable: true, reason: null, gone: false });
  });
  it('refuses a Queued deploy and says to wait', () => {
    expect(rollbackability(facts({ status: 'Queued' }), 30).reason!).toMatch(
      /it is Queued; wait until it is Completed/,
    );
  });
  it('refuses an Exception deploy that changed nothing', () => {
    expect(rollbackability(facts({ status: 'Exception', salesforceStatus: 'Failed' }), 30).reason!).toMatch(
      /Salesforce applied none of it/,
    );
  });
  it('allows a partly successful deploy', () => {
    expect(rollbackability(facts({ status: 'Exception', salesforceStatus: 'SucceededPartial' }), 30).rollbackable).toBe(
      true,
    );
  });
  it('refuses a validation', () => {
    expect(rollbackability(facts({ checkOnly: true }), 30).reason!).toMatch(/validation/);
  });
  it('marks an expired snapshot as gone, naming the retention period', () => {
    const r = rollbackability(facts({ snapshotExpiresAt: new Date(Date.now() - 1000) }), 30);
    expect(r.gone).toBe(true);
    expect(r.reason!).toMatch(/kept 30 days/);
  });
});

describe('planCandidates', () => {
  const entries = [
    entry('ApexClass', 'New', 'create'),
    entry('ApexClass', 'Changed', 'update'),
    entry('ApexClass', 'Same', 'unchanged'),
    entry('CustomField', 'Account.Tier__c', 'create', { parentType: 'CustomObject', parentFullName: 'Account' }),
    entry('ApexClass', 'Failed', null),
  ];

  it('offers exactly the changed components with the inverse action, and lists the rest apart', () => {
    const { candidates, unchanged } = planCandidates(entries, new Map(), null);
    expect(candidates.map((c) => [c.fullName, c.deployAction, c.rollbackAction])).toEqual([
      ['New', 'created', 'delete'],
      ['Changed', 'updated', 'restore'],
      ['Account.Tier__c', 'created', 'delete'],
    ]);
    expect(unchanged.map((u) => u.fullName)).toEqual(['Same', 'Failed']);
    expect(candidates[2]!.parent).toEqual({ type: 'CustomObject', fullName: 'Account' });
  });

  it('marks components already rolled back as unavailable, naming the job', () => {
    const { candidates } = planCandidates(entries, new Map([['ApexClass:Changed', 'job-7']]), null);
    const changed = candidates.find((c) => c.fullName === 'Changed')!;
    expect(changed.available).toBe(false);
    expect(changed.reason!).toMatch(/job-7/);
  });

  it('marks everything unavailable with the job-level reason', () => {
    const { candidates } = planCandidates(entries, new Map(), 'expired');
    expect(candidates.every((c) => !c.available && c.reason === 'expired')).toBeTruthy();
  });
});

describe('selectCandidates', () => {
  const { candidates } = planCandidates(
    [entry('ApexClass', 'A', 'create'), entry('ApexClass', 'B', 'update'), entry('ApexClass', 'C', 'update')],
    new Map([['ApexClass:C', 'job-1']]),
    null,
  );

  it('takes every available candidate for all', () => {
    const r = selectCandidates(candidates, { all: true });
    if (!('selected' in r)) throw new Error(`expected a selection, got ${JSON.stringify(r)}`);
    expect(r.selected.map((c) => c.fullName)).toEqual(['A', 'B']);
  });
  it('names what is not a candidate', () => {
    const r = selectCandidates(candidates, { components: [{ type: 'ApexClass', fullName: 'Z' }] });
    expect(r).toEqual({ problem: { kind: 'unknown', refs: [{ type: 'ApexClass', fullName: 'Z' }] } });
  });
  it('refuses an unavailable candidate', () => {
    const r = selectCandidates(candidates, { components: [{ type: 'ApexClass', fullName: 'C' }] });
    expect('problem' in r && r.problem.kind === 'unavailable').toBeTruthy();
  });
  it('ignores a component named twice', () => {
    const r = selectCandidates(candidates, {
      components: [
        { type: 'ApexClass', fullName: 'A' },
        { type: 'ApexClass', fullName: 'A' },
      ],
    });
    expect('selected' in r && r.selected.length === 1).toBeTruthy();
  });
});

describe('destructiveMembers', () => {
  it('deletes a created child with its created parent only once, through the parent', () => {
    const c = (type: string, fullName: string, parent: string | null): Candidate => ({
      type,
      fullName,
      parent: parent ? { type: 'CustomObject', fullName: parent } : null,
      deployAction: 'created',
      rollbackAction: 'delete',
      available: true,
      reason: null,
    });
    const members = destructiveMembers([
      c('CustomObject', 'Inv__c', null),
      c('CustomField', 'Inv__c.A__c', 'Inv__c'),
      c('CustomField', 'Account.T__c', 'Account'),
    ]);
    expect(members.map((m) => m.fullName)).toEqual(['Account.T__c', 'Inv__c']);
  });

  it('lists referrers before what they use: trigger, classes (a user before the class it uses), rules, fields', () => {
    const c = (type: string, fullName: string): Candidate => ({
      type,
      fullName,
      parent: null,
      deployAction: 'created',
      rollbackAction: 'delete',
      available: true,
      reason: null,
    });
    const members = destructiveMembers(
      [
        c('CustomField', 'Inv__c.Discount__c'),
        c('ApexClass', 'Alpha'),
        c('ValidationRule', 'Inv__c.Cap'),
        c('ApexClass', 'Zeta'),
        c('ApexTrigger', 'InvTrigger'),
      ],
      (a, b) => a.fullName === 'Zeta' && b.fullName === 'Alpha',
    );
    expect(members.map((m) => m.fullName)).toEqual(['InvTrigger', 'Zeta', 'Alpha', 'Inv__c.Cap', 'Inv__c.Discount__c']);
  });
});

describe('driftVerdict', () => {
  it('sees no drift when the live fingerprint is what the deploy left', () => {
    expect(driftVerdict({ rollbackAction: 'restore' }, 'f1', 'f1')).toBe('unchanged');
  });
  it('sees an edit after the deploy', () => {
    expect(driftVerdict({ rollbackAction: 'restore' }, 'f1', 'f2')).toBe('drifted');
  });
  it('sees a created component that someone deleted', () => {
    expect(driftVerdict({ rollbackAction: 'delete' }, 'f1', null)).toBe('absent');
  });
  it('sees a deleted component that came back', () => {
    expect(driftVerdict({ rollbackAction: 'recreate' }, null, 'f3')).toBe('reappeared');
    expect(driftVerdict({ rollbackAction: 'recreate' }, null, null)).toBe('unchanged');
  });
});
