import { describe, it, expect } from '@jest/globals';
import { z } from 'zod';
import { checkTestOptions, TestOptions } from './test-options.js';

const schema = z.strictObject(TestOptions).superRefine(checkTestOptions);

describe('test options', () => {
  it('refuses RunSpecifiedTests without runTests, on the runTests field', () => {
    const result = schema.safeParse({ testLevel: 'RunSpecifiedTests' });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual(['runTests']);
  });
  it('accepts RunSpecifiedTests with runTests, and other levels without', () => {
    expect(schema.safeParse({ testLevel: 'RunSpecifiedTests', runTests: ['InvoiceTest'] }).success).toBe(true);
    expect(schema.safeParse({ testLevel: 'RunLocalTests' }).success).toBe(true);
  });
});
