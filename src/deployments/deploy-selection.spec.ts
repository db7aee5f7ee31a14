import { describe, it, expect } from '@jest/globals';
import { type SizedComponent } from '../salesforce/deploy-estimate.js';
import { selectComponents } from './deploy-selection.js';

const c = (type: string, fullName: string, parent: [string, string] | null = null, sizes = [10]): SizedComponent => ({
  type,
  fullName,
  parentType: parent?.[0] ?? null,
  parentFullName: parent?.[1] ?? null,
  fileCount: sizes.length,
  bytes: sizes.reduce((n, size) => n + size, 0),
});
const all = [
  c('ApexClass', 'A', null, [100, 50]),
  c('CustomObject', 'Inv__c'),
  c('CustomField', 'Inv__c.Amount__c', ['CustomObject', 'Inv__c']),
  c('CustomField', 'Inv__c.Due__c', ['CustomObject', 'Inv__c']),
  c('CustomField', 'Account.Tier__c', ['CustomObject', 'Account']),
];

describe('selectComponents', () => {
  it('takes everything when nothing is named', () => {
    expect(selectComponents(all).selected.length).toBe(5);
  });
  it('takes a named parent with its children', () => {
    const { selected } = selectComponents(all, [{ type: 'CustomObject', fullName: 'Inv__c' }]);
    expect(selected.map((s) => s.fullName)).toEqual(['Inv__c', 'Inv__c.Amount__c', 'Inv__c.Due__c']);
  });
  it('takes a named child alone', () => {
    const { selected } = selectComponents(all, [{ type: 'CustomField', fullName: 'Inv__c.Due__c' }]);
    expect(selected.map((s) => s.fullName)).toEqual(['Inv__c.Due__c']);
  });
  it('returns the names that are not in the revision', () => {
    const { unknown } = selectComponents(all, [
      { type: 'ApexClass', fullName: 'Nope' },
      { type: 'ApexClass', fullName: 'A' },
    ]);
    expect(unknown).toEqual([{ type: 'ApexClass', fullName: 'Nope' }]);
  });
});
