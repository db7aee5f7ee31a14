import { describe, it, expect } from '@jest/globals';
import { isMalformedId, isUuid, malformedIdMessage } from './ids.js';

describe('isUuid', () => {
  it('accepts the canonical form in either case', () => {
    expect(isUuid('0b7c3c9e-1d2f-4a5b-8c6d-7e8f9a0b1c2d')).toBe(true);
    expect(isUuid('0B7C3C9E-1D2F-4A5B-8C6D-7E8F9A0B1C2D')).toBe(true);
  });
  it('refuses 36 hex digits and dashes in the wrong places', () => {
    expect(isUuid('0b7c3c9e1d2f-4a5b-8c6d-7e8f9a0b1c2d-')).toBe(false);
    expect(isUuid('------------------------------------')).toBe(false);
  });
});

describe('isMalformedId', () => {
  it('flags an id-shaped string that is not a UUID, and nothing else', () => {
    expect(isMalformedId('0b7c3c9e1d2f-4a5b-8c6d-7e8f9a0b1c2d-')).toBe(true);
    expect(isMalformedId('0b7c3c9e-1d2f-4a5b-8c6d-7e8f9a0b1c2d')).toBe(false);
    expect(isMalformedId('main')).toBe(false);
  });
  it('says what an id looks like', () => {
    expect(malformedIdMessage('branch', 'x')).toMatch(/not a valid branch id \(a UUID: 8-4-4-4-12 hex digits\)/);
  });
});
