import { describe, it, expect } from '@jest/globals';
import { selectComponents, type SelectableComponent } from './deploy-selection.js';

/** `Type:Name` or `Type:Name<Parent:Name` (a child and its parent). */
const c = (spec: string): SelectableComponent => {
  const [own, parent] = spec.split('<') as [string, string | undefined];
  const [type, fullName] = own.split(':') as [string, string];
  const [parentType, parentFullName] = parent ? (parent.split(':') as [string, string]) : [null, null];
  return { type, fullName, parentType, parentFullName };
};
const all = [
  'ApexClass:A',
  'CustomObject:Inv__c',
  'CustomField:Inv__c.Amount__c<CustomObject:Inv__c',
  'CustomField:Inv__c.Due__c<CustomObject:Inv__c',
  'CustomField:Account.Tier__c<CustomObject:Account',
].map(c);

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
