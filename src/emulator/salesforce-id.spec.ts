import { describe, it, expect } from '@jest/globals';
import { caseSafeSuffix, newOpaqueToken, newSalesforceId } from './salesforce-id.js';

describe('salesforce ids', () => {
  it('computes the case-safe suffix from the capitals of each five-character chunk', () => {
    expect(caseSafeSuffix('001A0000006Vm9r')).toBe('IAC');
  });

  it('issues 18-character ids that start with the key prefix and end with their own suffix', () => {
    const id = newSalesforceId('0Af');
    expect(id.length).toBe(18);
    expect(id.startsWith('0Af')).toBeTruthy();
    expect(id.slice(15)).toBe(caseSafeSuffix(id.slice(0, 15)));
  });

  it('issues tokens that are not shaped like a JWT', () => {
    const token = newOpaqueToken('00D000000000001AAA');
    expect(token.split('.').length).not.toBe(3);
    expect(token.startsWith('00D000000000001!')).toBeTruthy();
  });
});
