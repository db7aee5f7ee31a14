import { describe, expect, it } from '@jest/globals';
import { toContent } from './component-store.js';
import { apexCode, referenceProblem, referenceTokens, referrersIn, type OrgComponent } from './deletion-references.js';

const component = (type: string, fullName: string, files: Record<string, string>, parent?: string): OrgComponent => ({
  type,
  fullName,
  content: toContent(new Map(Object.entries(files).map(([p, t]) => [p, Buffer.from(t)]))),
  ...(parent ? { parent: { type: 'CustomObject', fullName: parent } } : {}),
});

describe('deletion references', () => {
  it('reads Apex without its comments and string literals', () => {
    expect(apexCode("a /* Foo */ b // Bar\n'Baz' c 'it\\'s'").replace(/\s+/g, ' ')).toBe('a b c ');
  });

  it("takes an LWC's apex and schema imports, not the rest of its code", () => {
    const lwc = component('LightningComponentBundle', 'card', {
      'lwc/card/card.js':
        "import total from '@salesforce/apex/InvoiceService.total';\nimport AMOUNT from '@salesforce/schema/Invoice__c.Amount__c';\nconst TaxCalc = 1;\n",
    });
    expect([...referenceTokens(lwc)!].sort()).toEqual(['amount__c', 'invoice__c', 'invoiceservice', 'total']);
  });

  it("finds a formula on another object reaching the field through the object's relationship name", () => {
    const referrers = referrersIn([
      component(
        'CustomField',
        'Line__c.Gross__c',
        { 'objects/Line__c.object': '<fields><formula>Invoice__r.Amount__c * 2</formula></fields>' },
        'Line__c',
      ),
      component(
        'CustomField',
        'Other__c.Copy__c',
        { 'objects/Other__c.object': '<fields><formula>Amount__c</formula></fields>' },
        'Other__c',
      ),
    ]);
    expect(referenceProblem({ type: 'CustomField', fullName: 'Invoice__c.Amount__c' }, referrers)).toBe(
      'This custom field is referenced elsewhere in salesforce.com. : Custom Formula Field - Line__c.Gross__c.',
    );
  });

  it('needs the object named too when code uses a field, and never counts the component itself', () => {
    const referrers = referrersIn([
      component('ApexClass', 'Quotes', {
        'classes/Quote.cls': 'class Quotes { Quote__c q; Decimal a = q.Amount__c; }',
      }),
      component('ApexClass', 'Self', { 'classes/Self.cls': 'class Self { Self s; }' }),
    ]);
    expect(referenceProblem({ type: 'CustomField', fullName: 'Invoice__c.Amount__c' }, referrers)).toBeUndefined();
    expect(referenceProblem({ type: 'CustomField', fullName: 'Quote__c.Amount__c' }, referrers)).toContain(
      'Apex Class - Quotes',
    );
    expect(referenceProblem({ type: 'ApexClass', fullName: 'Self' }, referrers)).toBeUndefined();
    expect(referenceProblem({ type: 'Layout', fullName: 'Quote__c-Quote Layout' }, referrers)).toBeUndefined();
  });
});
