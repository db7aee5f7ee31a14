import { describe, it, expect } from '@jest/globals';
import { componentNameProblem } from './component-names.js';

describe('componentNameProblem', () => {
  it('accepts distinct plain names', () => {
    expect(
      componentNameProblem([
        { type: 'ApexClass', fullName: 'Ok' },
        { type: 'ApexPage', fullName: 'Ok' },
      ]),
    ).toBeNull();
  });
  it('refuses names that differ only in case, naming both', () => {
    const problem = componentNameProblem([
      { type: 'ApexClass', fullName: 'Ok' },
      { type: 'ApexClass', fullName: 'OK' },
    ]);
    expect(problem?.message).toMatch(/differ only in case \(ApexClass:Ok and ApexClass:OK\)/);
    expect(problem?.components).toEqual(['ApexClass:Ok', 'ApexClass:OK']);
  });
  it('refuses a right-to-left override, showing it as a code point', () => {
    const problem = componentNameProblem([{ type: 'ApexClass', fullName: 'Invoice\u202Etxt' }]);
    expect(problem?.message).toMatch(/ApexClass:Invoice\\u\{202e\}txt; the first is U\+202E/);
  });
  it('refuses a zero-width space', () => {
    expect(componentNameProblem([{ type: 'ApexClass', fullName: 'In\u200Bvoice' }])).not.toBeNull();
  });
});
