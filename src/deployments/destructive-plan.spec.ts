import { describe, it, expect } from '@jest/globals';
import type { DestructiveMember } from '../salesforce/destructive-manifest.js';
import { classifyPlan, destructiveManifests, planDeletions, type DeployedComponent } from './destructive-plan.js';

const dc = (type: string, fullName: string, parent: [string, string] | null = null): DeployedComponent => ({
  type,
  fullName,
  parentType: parent?.[0] ?? null,
  parentFullName: parent?.[1] ?? null,
});
const manifest: DestructiveMember[] = [
  { type: 'ApexClass', fullName: 'Old', phase: 'pre', manifest: 'destructiveChanges.xml' },
  { type: 'ApexClass', fullName: 'Later', phase: 'post', manifest: 'destructiveChangesPost.xml' },
];

describe('planDeletions', () => {
  it('takes the revision manifests with their phase when the whole revision is deployed', () => {
    const { deletions, notes } = planDeletions({
      manifests: manifest,
      wholeRevision: true,
      deleteRemoved: false,
      lastDeployed: null,
      revision: [],
    });
    expect(deletions).toEqual([
      { type: 'ApexClass', fullName: 'Old', phase: 'pre', source: 'destructiveChanges.xml' },
      { type: 'ApexClass', fullName: 'Later', phase: 'post', source: 'destructiveChangesPost.xml' },
    ]);
    expect(notes).toEqual([]);
  });

  it('leaves the manifests out of a deploy of picked components, and says so', () => {
    const { deletions, notes } = planDeletions({
      manifests: manifest,
      wholeRevision: false,
      deleteRemoved: false,
      lastDeployed: null,
      revision: [],
    });
    expect(deletions).toEqual([]);
    expect(notes[0]).toMatch(/only when the whole revision is deployed/);
  });

  it('deleteRemoved deletes, after the additions, what the last deploy sent and the revision no longer holds', () => {
    const last = [
      dc('ApexClass', 'Kept'),
      dc('ApexClass', 'Dropped'),
      dc('CustomField', 'Account.Gone__c', ['CustomObject', 'Account']),
    ];
    const revision = [
      { type: 'ApexClass', fullName: 'Kept' },
      { type: 'ApexClass', fullName: 'New' },
    ];
    const { deletions } = planDeletions({
      manifests: [],
      wholeRevision: true,
      deleteRemoved: true,
      lastDeployed: last,
      revision,
    });
    expect(deletions).toEqual([
      { type: 'ApexClass', fullName: 'Dropped', phase: 'post', source: 'deleteRemoved' },
      { type: 'CustomField', fullName: 'Account.Gone__c', phase: 'post', source: 'deleteRemoved' },
    ]);
  });

  it('deleteRemoved compares names case-insensitively: a renamed-case field is not deleted', () => {
    const last = [dc('CustomField', 'Account.accountId__c', ['CustomObject', 'Account'])];
    const revision = [{ type: 'CustomField', fullName: 'Account.AccountId__c' }];
    expect(
      planDeletions({ manifests: [], wholeRevision: true, deleteRemoved: true, lastDeployed: last, revision })
        .deletions,
    ).toEqual([]);
  });

  it('deleteRemoved deletes a removed object once, not its removed fields beside it', () => {
    const last = [dc('CustomObject', 'Inv__c'), dc('CustomField', 'Inv__c.A__c', ['CustomObject', 'Inv__c'])];
    const { deletions } = planDeletions({
      manifests: [],
      wholeRevision: true,
      deleteRemoved: true,
      lastDeployed: last,
      revision: [],
    });
    expect(deletions.map((d) => `${d.type}:${d.fullName}`)).toEqual(['CustomObject:Inv__c']);
  });

  it('deleteRemoved without an earlier Completed deploy deletes nothing and says why', () => {
    const { deletions, notes } = planDeletions({
      manifests: [],
      wholeRevision: true,
      deleteRemoved: true,
      lastDeployed: null,
      revision: [],
    });
    expect(deletions).toEqual([]);
    expect(notes[0]).toMatch(/no Completed deploy/);
  });

  it('does not list a member twice when a manifest already deletes it', () => {
    const { deletions } = planDeletions({
      manifests: manifest,
      wholeRevision: true,
      deleteRemoved: true,
      lastDeployed: [dc('ApexClass', 'old')],
      revision: [],
    });
    expect(deletions.map((d) => d.source)).toEqual(['destructiveChanges.xml', 'destructiveChangesPost.xml']);
  });
});

describe('destructiveManifests', () => {
  it('splits deletions into pre and post members', () => {
    const { deletions } = planDeletions({
      manifests: manifest,
      wholeRevision: true,
      deleteRemoved: false,
      lastDeployed: null,
      revision: [],
    });
    expect(destructiveManifests(deletions)).toEqual({
      pre: [{ type: 'ApexClass', fullName: 'Old' }],
      post: [{ type: 'ApexClass', fullName: 'Later' }],
    });
  });
});

describe('classifyPlan', () => {
  it('sorts by what the org lists (case-insensitively), and keeps types it could not list apart', () => {
    const inOrg = new Map([['ApexClass', new Set(['existing', 'old'])]]);
    const plan = classifyPlan(
      [
        { type: 'ApexClass', fullName: 'Existing' },
        { type: 'ApexClass', fullName: 'Brand' },
        { type: 'Report', fullName: 'F/R' },
      ],
      [
        { type: 'ApexClass', fullName: 'Old', phase: 'pre', source: 'destructiveChanges.xml' },
        { type: 'ApexClass', fullName: 'Ghost', phase: 'post', source: 'deleteRemoved' },
      ],
      inOrg,
    );
    expect(plan.create).toEqual([{ type: 'ApexClass', fullName: 'Brand' }]);
    expect(plan.update).toEqual([{ type: 'ApexClass', fullName: 'Existing' }]);
    expect(plan.deploy).toEqual([{ type: 'Report', fullName: 'F/R' }]);
    expect(plan.delete.map((d) => [d.fullName, d.inOrg])).toEqual([
      ['Old', true],
      ['Ghost', false],
    ]);
  });
});
