import { describe, it, expect } from '@jest/globals';
import { formatPlan } from './plan-output.js';

describe('formatPlan', () => {
  it('lists deletions first with when and why, then creations and updates, then counts', () => {
    const text = formatPlan({
      revision: 4,
      create: [{ type: 'ApexClass', fullName: 'New' }],
      update: [{ type: 'ApexClass', fullName: 'Kept' }],
      deploy: [],
      delete: [
        { type: 'CustomField', fullName: 'Account.Old__c', phase: 'post', source: 'deleteRemoved', inOrg: true },
        { type: 'ApexClass', fullName: 'Ghost', phase: 'pre', source: 'destructiveChanges.xml', inOrg: false },
      ],
      notes: [],
    });
    expect(text.split('\n')).toEqual([
      'Dry run of revision #4: nothing was queued.',
      '  - CustomField:Account.Old__c  (delete, deleteRemoved, after the additions)',
      '  - ApexClass:Ghost  (delete, destructiveChanges.xml, before the additions; not in the org)',
      '  + ApexClass:New',
      '  ~ ApexClass:Kept',
      '1 to create, 1 to update, 2 to delete.',
      'Deleted components are backed up first; a rollback recreates them, but not the data of deleted objects or fields.',
    ]);
  });

  it('says when nothing is deleted and passes the server notes on', () => {
    const text = formatPlan({
      revision: 1,
      create: [],
      update: [],
      deploy: [{ type: 'Report', fullName: 'F/R' }],
      delete: [],
      notes: ['A note.'],
    });
    expect(text).toContain('  ? Report:F/R  (not checked against the org)');
    expect(text).toContain('0 to create, 0 to update, 0 to delete, 1 not checked.');
    expect(text.endsWith('A note.')).toBe(true);
  });
});

describe('formatPlan with reversibility', () => {
  it('prints the label, the reason and the checklist under each item a rollback cannot simply undo', () => {
    const text = formatPlan({
      revision: 2,
      create: [
        {
          type: 'CustomField',
          fullName: 'Account.Tier__c',
          reversibility: { label: 'dataLoss', reason: 'Rolling back deletes it.', checklist: ['Export its data.'] },
        },
        {
          type: 'RecordType',
          fullName: 'Account.Partner',
          reversibility: { label: 'manual', reason: 'The API cannot delete it.', checklist: ['Deactivate it.'] },
        },
        {
          type: 'ApexClass',
          fullName: 'New',
          reversibility: { label: 'reversible', reason: 'Rolling back puts it back.', checklist: [] },
        },
      ],
      update: [],
      deploy: [],
      delete: [],
      notes: [],
    });
    expect(text.split('\n').slice(1, 8)).toEqual([
      '  + CustomField:Account.Tier__c',
      '      reversible with data loss: Rolling back deletes it.',
      '        [ ] Export its data.',
      '  + RecordType:Account.Partner',
      '      manual: The API cannot delete it.',
      '        [ ] Deactivate it.',
      '  + ApexClass:New',
    ]);
  });
});
