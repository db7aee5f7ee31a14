import { describe, it } from 'node:test';
import { expect } from 'expect';
import { NOTHING_CHANGED, offerVerdict } from './rollback-offer.js';

describe('offerVerdict', () => {
  it('makes a deploy that changed nothing not rollbackable, saying why', () => {
    expect(offerVerdict({ rollbackable: true, reason: null, gone: false }, 0)).toEqual({ rollbackable: false, reason: NOTHING_CHANGED, gone: false });
  });

  it('keeps a deploy with changed components rollbackable', () => {
    expect(offerVerdict({ rollbackable: true, reason: null, gone: false }, 3)).toEqual({ rollbackable: true, reason: null, gone: false });
  });

  it('keeps the first reason of a deploy that cannot be rolled back anyway (expired, validation…)', () => {
    const expired = { rollbackable: false, reason: 'The backup snapshot of this deploy has expired.', gone: true };
    expect(offerVerdict(expired, 0)).toBe(expired);
  });
});
