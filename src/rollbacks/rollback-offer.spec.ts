import { describe, it, expect } from '@jest/globals';
import { NOTHING_CHANGED, offerVerdict, withRecreatedChildren } from './rollback-offer.js';

describe('offerVerdict', () => {
  it('makes a deploy that changed nothing not rollbackable, saying why', () => {
    expect(offerVerdict({ rollbackable: true, reason: null, gone: false }, 0)).toEqual({
      rollbackable: false,
      reason: NOTHING_CHANGED,
      gone: false,
    });
  });

  it('keeps a deploy with changed components rollbackable', () => {
    expect(offerVerdict({ rollbackable: true, reason: null, gone: false }, 3)).toEqual({
      rollbackable: true,
      reason: null,
      gone: false,
    });
  });

  it('keeps the first reason of a deploy that cannot be rolled back anyway (expired, validation…)', () => {
    const expired = { rollbackable: false, reason: 'The backup snapshot of this deploy has expired.', gone: true };
    expect(offerVerdict(expired, 0)).toBe(expired);
  });
});

describe('withRecreatedChildren', () => {
  const c = (
    type: string,
    fullName: string,
    rollbackAction: string,
    parent: string | null = null,
    available = true,
  ) => ({
    type,
    fullName,
    rollbackAction,
    available,
    parent: parent ? { type: 'CustomObject', fullName: parent } : null,
  });
  it('adds the recreatable fields of a picked object the deploy deleted', () => {
    const object = c('CustomObject', 'Inv__c', 'recreate');
    const fieldA = c('CustomField', 'Inv__c.A__c', 'recreate', 'Inv__c');
    const other = c('CustomField', 'Account.T__c', 'recreate', 'Account');
    expect(withRecreatedChildren([object], [object, fieldA, other]).map((x) => x.fullName)).toEqual([
      'Inv__c',
      'Inv__c.A__c',
    ]);
  });

  it('adds nothing for a restored or deleted parent, nor an unavailable child, nor one already picked', () => {
    const restored = c('CustomObject', 'Inv__c', 'restore');
    const field = c('CustomField', 'Inv__c.A__c', 'recreate', 'Inv__c');
    expect(withRecreatedChildren([restored], [restored, field])).toEqual([restored]);
    const object = c('CustomObject', 'Inv__c', 'recreate');
    const taken = c('CustomField', 'Inv__c.A__c', 'recreate', 'Inv__c', false);
    expect(withRecreatedChildren([object], [object, taken])).toEqual([object]);
    expect(withRecreatedChildren([object, field], [object, field])).toEqual([object, field]);
  });
});
