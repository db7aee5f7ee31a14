import { describe, it, expect } from '@jest/globals';
import { CASE_SENSITIVE_TYPES, componentKey, sameComponent } from './component-key.js';

describe('componentKey', () => {
  it('treats API names that differ only by case as one component, as Salesforce does', () => {
    expect(componentKey({ type: 'CustomField', fullName: 'Order__c.accountId__c' })).toBe(
      componentKey({ type: 'CustomField', fullName: 'Order__c.AccountId__c' }),
    );
    expect(
      sameComponent(
        { type: 'ApexClass', fullName: 'invoiceService' },
        { type: 'ApexClass', fullName: 'InvoiceService' },
      ),
    ).toBe(true);
  });

  it('keeps types apart even when the names match', () => {
    expect(sameComponent({ type: 'ApexClass', fullName: 'Foo' }, { type: 'ApexTrigger', fullName: 'Foo' })).toBe(false);
  });

  it('keeps different names apart', () => {
    expect(sameComponent({ type: 'ApexClass', fullName: 'Foo' }, { type: 'ApexClass', fullName: 'Foo2' })).toBe(false);
  });

  it('lists no case-sensitive type (none is known)', () => {
    expect([...CASE_SENSITIVE_TYPES]).toEqual([]);
  });
});
