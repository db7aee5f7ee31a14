import { describe, it, expect } from '@jest/globals';
import { ComponentStore, toContent } from './component-store.js';

const audit = { date: '2024-01-01T00:00:00.000Z', userId: '005', userName: 'Admin' };
const record = (type: string, fullName: string, parent?: { type: string; fullName: string }) => ({
  type,
  fullName,
  id: `${fullName}-id`,
  content: toContent(new Map([['f', Buffer.from(fullName)]])),
  parent,
  created: audit,
  lastModified: audit,
});

describe('ComponentStore names', () => {
  it('finds a component whatever the case of its name, and keeps one component per name', () => {
    const store = new ComponentStore();
    store.put(record('CustomField', 'Invoice__c.accountId__c'));
    expect(store.get({ type: 'CustomField', fullName: 'INVOICE__C.AccountId__c' })?.fullName).toBe(
      'Invoice__c.accountId__c',
    );
    store.put(record('CustomField', 'Invoice__c.AccountId__c'));
    expect(store.size).toBe(1);
    expect(store.list('CustomField').map((r) => r.fullName)).toEqual(['Invoice__c.AccountId__c']);
  });

  it('deletes a parent and its children named in another case', () => {
    const store = new ComponentStore();
    store.put(record('CustomObject', 'Invoice__c'));
    store.put(record('CustomField', 'Invoice__c.Amount__c', { type: 'CustomObject', fullName: 'invoice__c' }));
    expect(store.childrenOf({ type: 'CustomObject', fullName: 'INVOICE__c' })).toHaveLength(1);
    expect(store.delete({ type: 'CustomObject', fullName: 'invoice__C' })).toBe(true);
    expect(store.size).toBe(0);
  });

  it('keeps types apart: the same name in two types is two components', () => {
    const store = new ComponentStore();
    store.put(record('ApexClass', 'Shared'));
    store.put(record('ApexPage', 'shared'));
    expect(store.size).toBe(2);
  });
});
