import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { caseSafeSuffix, newOpaqueToken, newSalesforceId } from './salesforce-id.js';

describe('salesforce ids', () => {
  it('computes the case-safe suffix from the capitals of each five-character chunk', () => {
    assert.equal(caseSafeSuffix('001A0000006Vm9r'), 'IAC');
  });

  it('issues 18-character ids that start with the key prefix and end with their own suffix', () => {
    const id = newSalesforceId('0Af');
    assert.equal(id.length, 18);
    assert.ok(id.startsWith('0Af'));
    assert.equal(id.slice(15), caseSafeSuffix(id.slice(0, 15)));
  });

  it('issues tokens that are not shaped like a JWT', () => {
    const token = newOpaqueToken('00D000000000001AAA');
    assert.notEqual(token.split('.').length, 3);
    assert.ok(token.startsWith('00D000000000001!'));
  });
});
