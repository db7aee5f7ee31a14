import { describe, expect, it } from '@jest/globals';
import type { JobProblem } from '../deployments/deploy-results.js';
import { referrersNamed, splitAlreadyGone, stillReferencedProblem } from './deletion-outcomes.js';

const problem = (text: string, problemType = 'Warning'): JobProblem => ({
  problem: text,
  problemType,
  fileName: 'destructiveChangesPost.xml',
  componentType: 'ApexClass',
  fullName: 'destructiveChangesPost.xml',
  lineNumber: null,
  columnNumber: null,
});

describe('deletion outcomes', () => {
  it("takes 'already gone' warnings of this rollback's deletions off the job-level problems", () => {
    const { gone, rest } = splitAlreadyGone(
      [
        problem('No ApexClass named: scratchpad found'),
        problem('No ApexClass named: Other found'),
        problem('x', 'Error'),
      ],
      [{ type: 'ApexClass', fullName: 'Scratchpad' }],
    );
    expect([...gone]).toEqual(['ApexClass:scratchpad']);
    expect(rest.map((p) => p.problem)).toEqual(['No ApexClass named: Other found', 'x']);
  });

  it('reads the referrers Salesforce names, whatever the deleted type', () => {
    expect(
      referrersNamed(
        'This custom field is referenced elsewhere in salesforce.com. : Apex Class - TerritoryAssigner, Flow - ' +
          'Account_Region_Sync, Validation Rule - Account.Region_Required',
      ),
    ).toEqual([
      { type: 'ApexClass', fullName: 'TerritoryAssigner' },
      { type: 'Flow', fullName: 'Account_Region_Sync' },
      { type: 'ValidationRule', fullName: 'Account.Region_Required' },
    ]);
    expect(
      referrersNamed(
        'This apex class is referenced elsewhere in salesforce.com. Remove the usage and try again. : Visualforce Page - Foo.',
      ),
    ).toEqual([{ type: 'ApexPage', fullName: 'Foo' }]);
    expect(
      referrersNamed(
        'This custom field is referenced elsewhere in salesforce.com. : Filtered Lookup - Account.Parent__c.',
      ),
    ).toEqual([{ type: 'Filtered Lookup', fullName: 'Account.Parent__c' }]);
    expect(referrersNamed('Expecting } but was: <EOF>')).toEqual([]);
  });

  it("says who still references a deletion and what to do, keeping Salesforce's words", () => {
    const text = 'This custom field is referenced elsewhere in salesforce.com. : Apex Class - InvoiceService.';
    expect(stillReferencedProblem(text)).toBe(
      `Still referenced by ApexClass InvoiceService: roll that back too, or remove the reference. Salesforce: ${text}`,
    );
    expect(
      stillReferencedProblem(
        'This custom field is referenced elsewhere in salesforce.com. : Apex Class - A, Apex Trigger - T.',
      ),
    ).toMatch(/^Still referenced by ApexClass A, ApexTrigger T: roll those back too/);
    expect(stillReferencedProblem('Some other failure')).toBeUndefined();
  });
});
