import { describe, it, expect } from '@jest/globals';
import { destructiveMembers, planCandidates, selectCandidates, type SnapshotEntry } from './rollback-plan.js';

const entry = (type: string, fullName: string, deployAction: string, parent?: [string, string]): SnapshotEntry => ({
  type,
  fullName,
  parentType: parent?.[0] ?? null,
  parentFullName: parent?.[1] ?? null,
  existed: deployAction !== 'create',
  deployAction,
  hasFiles: deployAction !== 'create',
});

describe("rollback plans with Salesforce's case-insensitive names", () => {
  const entries = [
    entry('CustomField', 'Order__c.accountId__c', 'update', ['CustomObject', 'Order__c']),
    entry('ApexClass', 'NewOne', 'create'),
  ];

  it('picks a candidate named with another case', () => {
    const { candidates } = planCandidates(entries, new Map(), null);
    const picked = selectCandidates(candidates, {
      components: [{ type: 'CustomField', fullName: 'Order__c.AccountId__c' }],
    });
    expect('selected' in picked && picked.selected.map((c) => c.fullName)).toEqual(['Order__c.accountId__c']);
  });

  it('sees a claim written under another case of the name', () => {
    const claimed = new Map([['ApexClass:newone', 'job-1']]);
    const { candidates } = planCandidates(entries, claimed, null);
    expect(candidates.find((c) => c.fullName === 'NewOne')!.reason).toBe('Already rolled back by job job-1.');
  });

  it('deletes a created child through its created parent whatever the case of the parent name', () => {
    const created = [
      entry('CustomObject', 'Ship__c', 'create'),
      entry('CustomField', 'ship__c.Port__c', 'create', ['CustomObject', 'ship__c']),
    ];
    const { candidates } = planCandidates(created, new Map(), null);
    expect(destructiveMembers(candidates)).toEqual([{ type: 'CustomObject', fullName: 'Ship__c' }]);
  });
});
