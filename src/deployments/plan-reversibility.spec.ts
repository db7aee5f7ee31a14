import { describe, expect, it } from '@jest/globals';
import { componentKey } from '../salesforce/component-key.js';
import { labelPlan } from './plan-reversibility.js';

const picklist = (values: string[]) => [
  {
    path: 'force-app/main/default/objects/Account/fields/Stage__c.field-meta.xml',
    content: Buffer.from(
      `<CustomField><fullName>Stage__c</fullName><type>Picklist</type><valueSet><valueSetDefinition>${values
        .map((v) => `<value><fullName>${v}</fullName><default>false</default><label>${v}</label></value>`)
        .join('')}</valueSetDefinition></valueSet></CustomField>`,
    ),
  },
];
const STAGE = { type: 'CustomField', fullName: 'Account.Stage__c' };

describe('labelPlan', () => {
  it('labels created, updated, unchecked and deleted items by what the deploy does to them', () => {
    const plan = labelPlan(
      {
        create: [{ type: 'RecordType', fullName: 'Account.Partner' }],
        update: [{ type: 'ApexClass', fullName: 'Keep' }],
        deploy: [{ type: 'Report', fullName: 'Sales/Pipeline' }],
        delete: [
          { type: 'CustomField', fullName: 'Account.Old__c', phase: 'post', source: 'deleteRemoved', inOrg: true },
        ],
      },
      new Map(),
    );
    expect(plan.create[0]!.reversibility.label).toBe('manual');
    expect(plan.update[0]!.reversibility.label).toBe('reversible');
    expect(plan.deploy[0]!.reversibility.label).toBe('reversible');
    expect(plan.delete[0]).toMatchObject({ phase: 'post', inOrg: true, reversibility: { label: 'dataLoss' } });
  });

  it("compares an updated field with the org's when it was read, and says so when it was not", () => {
    const plan = { create: [], update: [STAGE], deploy: [], delete: [] };
    const key = componentKey(STAGE);
    const after = new Map([[key, picklist(['A', 'B'])]]);
    const read = labelPlan(plan, after, new Map([[key, picklist(['A'])]]));
    expect(read.update[0]!.reversibility.reason).toMatch(/adds picklist value\(s\) B/);
    const unread = labelPlan(plan, after);
    expect(unread.update[0]!.reversibility.reason).toMatch(/were not read before the deploy/);
  });
});
