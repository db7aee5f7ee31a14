import { describe, expect, it } from '@jest/globals';
import type { Reversibility } from '../salesforce/reversibility.js';
import {
  dataLossRefusal,
  manualStepsLogLine,
  reversibilityOfSelection,
  type LabelledCandidate,
} from './rollback-reversibility.js';

const label = (l: Reversibility['label']): Reversibility => ({
  label: l,
  reason: `Because ${l}.`,
  checklist: l === 'reversible' ? [] : [`Do ${l} by hand.`],
});
function candidate(
  type: string,
  fullName: string,
  l: Reversibility['label'],
  parent: { type: string; fullName: string } | null = null,
): LabelledCandidate {
  return {
    type,
    fullName,
    parent,
    deployAction: 'created',
    rollbackAction: 'delete',
    available: true,
    reason: null,
    reversibility: label(l),
  };
}

describe('reversibilityOfSelection', () => {
  it('lists the data-loss items and turns the manual ones into steps for a person', () => {
    const { dataLoss, manual } = reversibilityOfSelection([
      candidate('ApexClass', 'Keep', 'reversible'),
      candidate('CustomField', 'Account.Tier__c', 'dataLoss', { type: 'CustomObject', fullName: 'Account' }),
      candidate('RecordType', 'Account.Partner', 'manual', { type: 'CustomObject', fullName: 'Account' }),
    ]);
    expect(dataLoss.map((c) => c.fullName)).toEqual(['Account.Tier__c']);
    expect(manual).toEqual([
      {
        type: 'RecordType',
        fullName: 'Account.Partner',
        parentType: 'CustomObject',
        parentFullName: 'Account',
        action: 'delete',
        reason: 'Because manual.',
        checklist: ['Do manual by hand.'],
      },
    ]);
  });

  it('sends a record type with the created object the rollback deletes (it goes with the object)', () => {
    const { manual } = reversibilityOfSelection([
      candidate('CustomObject', 'inv__c', 'dataLoss'),
      candidate('RecordType', 'Inv__c.Partner', 'manual', { type: 'CustomObject', fullName: 'Inv__c' }),
    ]);
    expect(manual).toEqual([]);
  });
});

describe('the sentences', () => {
  it('refuses naming the components (five at most) and says what to send', () => {
    const refs = Array.from({ length: 7 }, (_, i) => ({ type: 'CustomField', fullName: `Account.F${i}__c` }));
    const text = dataLossRefusal(refs);
    expect(text).toMatch(/^Rolling back CustomField:Account.F0__c, .*CustomField:Account.F4__c and 2 more loses data/);
    expect(text).toMatch(/Nothing was queued\. Send acceptDataLoss: true to confirm, or leave them out/);
  });

  it('closes the job log with each step left for a person and its checklist', () => {
    const { manual } = reversibilityOfSelection([candidate('RecordType', 'Account.Partner', 'manual')]);
    expect(manualStepsLogLine(manual)).toBe(
      'Left for a person to do: 1 component(s) were not rolled back. RecordType:Account.Partner: Because manual. ' +
        'Checklist: Do manual by hand.',
    );
  });
});
