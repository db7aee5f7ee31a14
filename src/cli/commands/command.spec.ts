import { describe, it, expect } from '@jest/globals';
import { parseComponentRef, testOptions } from './command.js';

describe('testOptions', () => {
  it('sends nothing when no test level is given', () => {
    expect(testOptions({})).toEqual({});
  });

  it('splits --run-tests on commas', () => {
    expect(testOptions({ 'test-level': 'RunSpecifiedTests', 'run-tests': 'ATest, BTest,' })).toEqual({
      testLevel: 'RunSpecifiedTests',
      runTests: ['ATest', 'BTest'],
    });
  });
});

describe('parseComponentRef', () => {
  it('splits at the first colon', () => {
    expect(parseComponentRef('CustomField:Invoice__c.Amount__c')).toEqual({
      type: 'CustomField',
      fullName: 'Invoice__c.Amount__c',
    });
    expect(parseComponentRef('Layout:A:B')).toEqual({ type: 'Layout', fullName: 'A:B' });
  });

  it('refuses a reference without a type or a name', () => {
    for (const bad of ['Foo', ':Foo', 'ApexClass:']) expect(() => parseComponentRef(bad)).toThrow(/Type:FullName/);
  });
});
