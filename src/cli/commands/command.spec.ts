import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseComponentRef, testOptions } from './command.js';

describe('testOptions', () => {
  it('sends nothing when no test level is given', () => {
    assert.deepEqual(testOptions({}), {});
  });

  it('splits --run-tests on commas', () => {
    assert.deepEqual(testOptions({ 'test-level': 'RunSpecifiedTests', 'run-tests': 'ATest, BTest,' }), { testLevel: 'RunSpecifiedTests', runTests: ['ATest', 'BTest'] });
  });
});

describe('parseComponentRef', () => {
  it('splits at the first colon', () => {
    assert.deepEqual(parseComponentRef('CustomField:Invoice__c.Amount__c'), { type: 'CustomField', fullName: 'Invoice__c.Amount__c' });
    assert.deepEqual(parseComponentRef('Layout:A:B'), { type: 'Layout', fullName: 'A:B' });
  });

  it('refuses a reference without a type or a name', () => {
    for (const bad of ['Foo', ':Foo', 'ApexClass:']) assert.throws(() => parseComponentRef(bad), /Type:FullName/);
  });
});
