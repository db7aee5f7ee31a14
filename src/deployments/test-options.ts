import { z } from 'zod';

export const TestLevel = z.enum([
  'NoTestRun',
  'RunSpecifiedTests',
  'RunLocalTests',
  'RunAllTestsInOrg',
  'RunRelevantTests',
]);

/** The test options every Metadata API deploy takes — a Deploy job's and a Rollback job's alike. */
export const TestOptions = {
  testLevel: TestLevel.optional(),
  runTests: z.array(z.string().min(1)).optional(),
};

/** The rule zod cannot state per field: RunSpecifiedTests names the tests to run (Salesforce refuses it otherwise). */
export function checkTestOptions(body: { testLevel?: string; runTests?: string[] }, ctx: z.RefinementCtx): void {
  if (body.testLevel === 'RunSpecifiedTests' && (body.runTests?.length ?? 0) === 0) {
    ctx.addIssue({
      code: 'custom',
      message: 'testLevel RunSpecifiedTests needs runTests (the test classes to run)',
      path: ['runTests'],
    });
  }
}
