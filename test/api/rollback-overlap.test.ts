import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { startHarness, type Harness } from '../helpers/backtrack.harness.js';
import {
  deployCompleted,
  demoOrgId,
  differingFiles,
  jobStory,
  newBranch,
  orgFiles,
  projectZip,
  rollbackAndWait,
  upload,
} from '../helpers/deploy-flow.js';
import { closeStarted } from '../helpers/lifecycle.js';
import {
  classMeta,
  connect,
  customObject,
  deployAndWait as deployThroughJsforce,
  packageXml,
} from '../emulator/emulator.helper.js';
import { makeZip } from '../emulator/zip.helper.js';

const SRC = 'force-app/main/default';
const invoiceService = (rate: string) => `public with sharing class InvoiceService {
    public static Decimal taxRate() {
        return ${rate};
    }
}
`;
const classFiles = (name: string, body: string) => ({
  [`${SRC}/classes/${name}.cls`]: body,
  [`${SRC}/classes/${name}.cls-meta.xml`]: classMeta,
});

/** Invoice__c with one number field, Amount__c. */
const INVOICE_OBJECT = customObject(`    <fields>
        <fullName>Amount__c</fullName>
        <label>Amount</label>
        <precision>18</precision>
        <scale>2</scale>
        <type>Number</type>
    </fields>
`);
const numberField = (name: string) => `<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>${name}</fullName>
    <label>${name.replace('__c', '')}</label>
    <precision>18</precision>
    <scale>2</scale>
    <type>Number</type>
</CustomField>
`;
const validationRule = (name: string, formula: string) => `<?xml version="1.0" encoding="UTF-8"?>
<ValidationRule xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>${name}</fullName>
    <active>true</active>
    <errorConditionFormula>${formula}</errorConditionFormula>
    <errorMessage>The discount cannot exceed the amount</errorMessage>
</ValidationRule>
`;
const TRIGGER_META = `<?xml version="1.0" encoding="UTF-8"?>
<ApexTrigger xmlns="http://soap.sforce.com/2006/04/metadata">
    <apiVersion>60.0</apiVersion>
    <status>Active</status>
</ApexTrigger>
`;
const apex = (name: string, body: string) => `public with sharing class ${name} {
    public static Decimal run(Invoice__c inv) {
        ${body}
    }
}
`;

describe('Rollback order and overlap', () => {
  let h: Harness;
  let orgId: string;
  const emulator = () => h.backtrack.emulator!;
  const org = () => emulator().defaultOrg.id;

  beforeAll(async () => {
    h = await startHarness();
    orgId = await demoOrgId(h);
  });
  afterAll(() => closeStarted(h));

  describe('a component a later deploy changed', () => {
    let branchId: string;
    let beforeD: Map<string, Buffer>;
    let d: string;
    let dPrime: string;

    beforeAll(async () => {
      await emulator().admin.seed(org(), {
        components: [
          {
            files: {
              'classes/InvoiceService.cls': invoiceService('0.19'),
              'classes/InvoiceService.cls-meta.xml': classMeta,
            },
          },
        ],
      });
      beforeD = orgFiles(emulator());
      branchId = await newBranch(h, 'overlap');
      await upload(h, branchId, await projectZip(classFiles('InvoiceService', invoiceService('0.20'))));
      d = await deployCompleted(h, branchId, orgId);
      await upload(h, branchId, await projectZip(classFiles('InvoiceService', invoiceService('0.21'))));
      dPrime = await deployCompleted(h, branchId, orgId);
    });

    it('offers the component with changedLaterBy naming the later deploy', async () => {
      const res = await h.api('GET', `/api/jobs/${d}/rollback`);
      expect(res.status).toBe(200);
      const item = res.body.items.find((c: any) => c.fullName === 'InvoiceService');
      expect(item.changedLaterBy).toEqual({
        jobId: dPrime,
        at: expect.any(String),
        by: expect.any(String),
        link: `/#/jobs/${dPrime}`,
      });
      const later = (await h.api('GET', `/api/jobs/${dPrime}/rollback`)).body.items[0];
      expect(later.changedLaterBy).toBeNull();
    });

    it('refuses the rollback of the earlier deploy before queuing it, naming the later deploy (409)', async () => {
      const deploysBefore = emulator().admin.deploys(org()).count;
      const activitiesBefore = (await h.api('GET', `/api/branches/${branchId}/activities`)).body.items.length;

      const res = await h.api('POST', `/api/jobs/${d}/rollback`, { body: { all: true } });
      expect(res.status).toBe(409);
      expect(res.body.message).toContain(`ApexClass:InvoiceService was changed by the later Deploy ${dPrime} on `);
      expect(res.body.message).toContain(`roll back that deploy first (POST /api/jobs/${dPrime}/rollback)`);
      expect(res.body.message).toContain('or send force: true to overwrite its change');
      expect(res.body.laterDeploys).toEqual([
        expect.objectContaining({ jobId: dPrime, components: [{ type: 'ApexClass', fullName: 'InvoiceService' }] }),
      ]);
      const picked = await h.api('POST', `/api/jobs/${d}/rollback`, {
        body: { components: [{ type: 'ApexClass', fullName: 'invoiceservice' }] },
      });
      expect(picked.status).toBe(409);
      expect(picked.body.message).toContain(dPrime);

      expect((await h.api('GET', `/api/branches/${branchId}/activities`)).body.items.length).toBe(activitiesBefore);
      expect(emulator().admin.deploys(org()).count).toBe(deploysBefore);
    });

    it('rolls back the later deploy first, then the earlier one: the class is as before both, byte for byte', async () => {
      const first = await rollbackAndWait(h, dPrime, { all: true });
      expect(await jobStory(h, first.id)).toMatch(/^Completed/);
      expect((await h.api('GET', `/api/jobs/${d}/rollback`)).body.items[0].changedLaterBy).toBeNull();

      const second = await rollbackAndWait(h, d, { all: true });
      expect(await jobStory(h, second.id)).toMatch(/^Completed/);
      expect(differingFiles(beforeD, orgFiles(emulator()))).toEqual([]);
    });
  });

  it('POST /api/branches/:id/rollback refuses the last deploy of a branch when another branch deployed over it', async () => {
    const ledger = (v: string) => classFiles('Ledger', invoiceService(v).replace('InvoiceService', 'Ledger'));
    const mine = await newBranch(h, 'overlap-mine');
    const theirs = await newBranch(h, 'overlap-theirs');
    await upload(h, mine, await projectZip(ledger('1')));
    await deployCompleted(h, mine, orgId);
    await upload(h, theirs, await projectZip(ledger('2')));
    const over = await deployCompleted(h, theirs, orgId);

    const res = await h.api('POST', `/api/branches/${mine}/rollback`, { body: { orgId, all: true } });
    expect(res.status).toBe(409);
    expect(res.body.message).toContain('The last deploy of branch "overlap-mine"');
    expect(res.body.message).toContain(`ApexClass:Ledger was changed by the later Deploy ${over} on `);
    expect(res.body.laterDeploys[0].jobId).toBe(over);
  });

  it('the drift check of a forced rollback names the later deploy; a drift no deploy explains keeps the generic sentence', async () => {
    await emulator().admin.seed(org(), {
      components: [
        {
          files: {
            'classes/TaxTable.cls': invoiceService('1').replace('InvoiceService', 'TaxTable'),
            'classes/TaxTable.cls-meta.xml': classMeta,
          },
        },
        {
          files: {
            'classes/TaxZone.cls': invoiceService('1').replace('InvoiceService', 'TaxZone'),
            'classes/TaxZone.cls-meta.xml': classMeta,
          },
        },
      ],
    });
    const before = orgFiles(emulator());
    const branchId = await newBranch(h, 'overlap-force');
    const both = (v: string) => ({
      ...classFiles('TaxTable', invoiceService(v).replace('InvoiceService', 'TaxTable')),
      ...classFiles('TaxZone', invoiceService(v).replace('InvoiceService', 'TaxZone')),
    });
    await upload(h, branchId, await projectZip(both('2')));
    const d = await deployCompleted(h, branchId, orgId);
    await upload(
      h,
      branchId,
      await projectZip(classFiles('TaxTable', invoiceService('3').replace('InvoiceService', 'TaxTable'))),
    );
    const dPrime = await deployCompleted(h, branchId, orgId);
    // someone edits TaxZone in the org, outside Backtrack
    await emulator().admin.seed(org(), {
      components: [
        {
          files: {
            'classes/TaxZone.cls': invoiceService('9').replace('InvoiceService', 'TaxZone'),
            'classes/TaxZone.cls-meta.xml': classMeta,
          },
        },
      ],
    });

    const forced = await rollbackAndWait(h, d, { all: true, force: true });
    expect(await jobStory(h, forced.id)).toMatch(/^Completed/);
    const logs = (await h.api('GET', `/api/jobs/${forced.id}/logs`)).body.items as any[];
    const warned = (name: string) =>
      logs.filter((l) => l.level === 'warn' && l.component === `ApexClass:${name}`).map((l) => l.message);
    expect(warned('TaxTable')).toEqual([expect.stringContaining(`Drift: changed by the later Deploy ${dPrime} on `)]);
    expect(warned('TaxZone')).toEqual(['Drift: the component was changed in the org after the deploy.']);
    expect(differingFiles(before, orgFiles(emulator()))).toEqual([]);
  });

  describe('deletions', () => {
    beforeAll(async () => {
      await emulator().admin.seed(org(), { components: [{ files: { 'objects/Invoice__c.object': INVOICE_OBJECT } }] });
    });

    it('deletes created components referrers first: trigger, then classes (a user before the class it uses), rules, fields', async () => {
      const before = orgFiles(emulator());
      const branchId = await newBranch(h, 'order');
      await upload(
        h,
        branchId,
        await projectZip({
          [`${SRC}/objects/Invoice__c/fields/Discount__c.field-meta.xml`]: numberField('Discount__c'),
          [`${SRC}/objects/Invoice__c/validationRules/Discount_Cap.validationRule-meta.xml`]: validationRule(
            'Discount_Cap',
            'Discount__c &gt; Amount__c',
          ),
          ...classFiles('Alpha', apex('Alpha', 'return inv.Amount__c;')),
          ...classFiles('Zeta', apex('Zeta', 'return Alpha.run(inv) - inv.Discount__c;')),
          [`${SRC}/triggers/InvoiceTrigger.trigger`]:
            'trigger InvoiceTrigger on Invoice__c (before insert) {\n    for (Invoice__c inv : Trigger.new) Zeta.run(inv);\n}\n',
          [`${SRC}/triggers/InvoiceTrigger.trigger-meta.xml`]: TRIGGER_META,
        }),
      );
      const d = await deployCompleted(h, branchId, orgId);

      const rollback = await rollbackAndWait(h, d, { all: true, acceptDataLoss: true });
      expect(await jobStory(h, rollback.id)).toMatch(/^Completed/);
      expect(differingFiles(before, orgFiles(emulator()))).toEqual([]);
    });

    it('restores a class first and deletes the class it stopped using after (destructiveChangesPost)', async () => {
      await emulator().admin.seed(org(), {
        components: [
          { files: { 'classes/Billing.cls': apex('Billing', 'return 0;'), 'classes/Billing.cls-meta.xml': classMeta } },
        ],
      });
      const before = orgFiles(emulator());
      const branchId = await newBranch(h, 'restore-then-delete');
      await upload(
        h,
        branchId,
        await projectZip({
          ...classFiles('Billing', apex('Billing', 'return Rounding.run(inv);')),
          ...classFiles('Rounding', apex('Rounding', 'return inv.Amount__c.setScale(0);')),
        }),
      );
      const d = await deployCompleted(h, branchId, orgId);

      const rollback = await rollbackAndWait(h, d, { all: true });
      expect(await jobStory(h, rollback.id)).toMatch(/^Completed/);
      expect(differingFiles(before, orgFiles(emulator()))).toEqual([]);
      const logs = (await h.api('GET', `/api/jobs/${rollback.id}/logs`)).body.items as any[];
      expect(logs.map((l) => l.message)).toContainEqual(
        expect.stringContaining('1 restore(s), 1 deletion(s) in destructiveChangesPost.xml'),
      );
    });

    it('a deletion already gone from the org (force past the drift) ends Succeeded with a warning', async () => {
      const branchId = await newBranch(h, 'already-gone');
      await upload(h, branchId, await projectZip(classFiles('Scratchpad', apex('Scratchpad', 'return 1;'))));
      const d = await deployCompleted(h, branchId, orgId);
      // someone deletes the class in the org, outside Backtrack
      const conn = connect(emulator().url, emulator().defaultOrg.accessToken);
      const removed = await deployThroughJsforce(
        conn,
        await makeZip({
          'package.xml': packageXml({}),
          'destructiveChanges.xml': packageXml({ ApexClass: ['Scratchpad'] }),
        }),
      );
      expect(removed.status).toBe('Succeeded');

      const refused = await rollbackAndWait(h, d, { all: true });
      expect(refused.status).toBe('Exception');
      expect(refused.error).toContain('changed in the org after the deploy (ApexClass:Scratchpad)');

      const forced = await rollbackAndWait(h, d, { all: true, force: true });
      expect(await jobStory(h, forced.id)).toMatch(/^Completed/);
      const [row] = (await h.api('GET', `/api/jobs/${forced.id}/components`)).body.items;
      expect(row).toMatchObject({
        type: 'ApexClass',
        fullName: 'Scratchpad',
        status: 'Succeeded',
        problem: 'Already gone from the org: nothing to delete',
        problemType: 'Warning',
      });
      const logs = (await h.api('GET', `/api/jobs/${forced.id}/logs?component=ApexClass:Scratchpad`)).body.items;
      expect(logs.map((l: any) => `${l.level} ${l.message}`)).toEqual(
        expect.arrayContaining([
          'warn Already gone from the org: nothing to delete',
          'info Verified: no longer in the org, as before the deploy',
        ]),
      );
      expect((await h.api('GET', `/api/jobs/${forced.id}`)).body.problems ?? []).toEqual([]);
    });

    it("a deletion refused because another deploy's class still uses it names that class; the org is unchanged", async () => {
      const mine = await newBranch(h, 'referenced');
      await upload(
        h,
        mine,
        await projectZip({ [`${SRC}/objects/Invoice__c/fields/Rebate__c.field-meta.xml`]: numberField('Rebate__c') }),
      );
      const d = await deployCompleted(h, mine, orgId);
      const theirs = await newBranch(h, 'referrer');
      await upload(
        h,
        theirs,
        await projectZip(classFiles('RebateService', apex('RebateService', 'return inv.Rebate__c;'))),
      );
      const dPrime = await deployCompleted(h, theirs, orgId);
      const before = orgFiles(emulator());

      const refused = await rollbackAndWait(h, d, { all: true, acceptDataLoss: true });
      expect(refused.status).toBe('Exception');
      expect(refused.error).toContain('the org is unchanged');
      expect(refused.error).toContain(
        'CustomField:Invoice__c.Rebate__c: Still referenced by ApexClass RebateService: roll that back too, or remove the reference.',
      );
      const [row] = (await h.api('GET', `/api/jobs/${refused.id}/components`)).body.items;
      expect(row.status).toBe('Failed');
      expect(row.problem).toMatch(
        /^Still referenced by ApexClass RebateService: roll that back too, or remove the reference\. Salesforce: This custom field is referenced elsewhere in salesforce\.com\. : Apex Class - RebateService\.$/,
      );
      expect(differingFiles(before, orgFiles(emulator()))).toEqual([]);

      // rolling back the referrer first lets the field go
      expect(await jobStory(h, (await rollbackAndWait(h, dPrime, { all: true })).id)).toMatch(/^Completed/);
      expect(await jobStory(h, (await rollbackAndWait(h, d, { all: true, acceptDataLoss: true })).id)).toMatch(
        /^Completed/,
      );
      expect(emulator().admin.getComponent(org(), 'CustomField', 'Invoice__c.Rebate__c')).toBeUndefined();
    });
  });
});
