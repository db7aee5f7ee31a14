import { describe, expect, it } from '@jest/globals';
import { deletionOrder, needsUseOrder, usesByName } from './deletion-order.js';

const ref = (type: string, fullName: string) => ({ type, fullName });
const names = (refs: { fullName: string }[]) => refs.map((r) => r.fullName);

describe('deletionOrder', () => {
  it('puts pages, bundles and triggers before classes, other types in between, fields before objects', () => {
    const order = deletionOrder([
      ref('CustomObject', 'Inv__c'),
      ref('CustomField', 'Inv__c.A__c'),
      ref('Layout', 'Inv__c-Inv Layout'),
      ref('ApexClass', 'Svc'),
      ref('ApexTrigger', 'Trg'),
      ref('LightningComponentBundle', 'card'),
      ref('ApexPage', 'Page'),
      ref('ValidationRule', 'Inv__c.Rule'),
    ]);
    expect(order.map((r) => r.type)).toEqual([
      'ApexPage',
      'LightningComponentBundle',
      'ApexTrigger',
      'ApexClass',
      'Layout',
      'ValidationRule',
      'CustomField',
      'CustomObject',
    ]);
  });

  it('moves a member ahead of the members of its type it uses, and keeps the name order through a cycle', () => {
    const uses = (a: { fullName: string }, b: { fullName: string }) =>
      (a.fullName === 'C' && b.fullName === 'A') ||
      (a.fullName === 'X' && b.fullName === 'Y') ||
      (a.fullName === 'Y' && b.fullName === 'X');
    expect(
      names(
        deletionOrder(
          ['A', 'B', 'C'].map((n) => ref('ApexClass', n)),
          uses,
        ),
      ),
    ).toEqual(['C', 'A', 'B']);
    expect(
      names(
        deletionOrder(
          ['X', 'Y'].map((n) => ref('ApexClass', n)),
          uses,
        ),
      ),
    ).toEqual(['Y', 'X']);
  });

  it("reads 'uses' from the deployed files by the used member's own name, case-insensitively", () => {
    const file = (content: string) => [{ path: 'x', content: Buffer.from(content) }];
    const uses = usesByName([
      { type: 'CustomField', fullName: 'Inv__c.Net__c', files: file('<formula>GROSS__C - 1</formula>') },
      { type: 'CustomField', fullName: 'Inv__c.Gross__c', files: file('<type>Number</type>') },
    ]);
    expect(uses(ref('CustomField', 'Inv__c.Net__c'), ref('CustomField', 'Inv__c.Gross__c'))).toBe(true);
    expect(uses(ref('CustomField', 'Inv__c.Gross__c'), ref('CustomField', 'Inv__c.Net__c'))).toBe(false);
  });

  it('asks what uses what only when two members of a self-referring type are deleted', () => {
    expect(needsUseOrder([ref('ApexClass', 'A'), ref('CustomField', 'O.F__c')])).toBe(false);
    expect(needsUseOrder([ref('ApexClass', 'A'), ref('ApexClass', 'B')])).toBe(true);
  });
});
