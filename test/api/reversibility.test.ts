import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { startHarness, waitForJob, type Harness } from '../helpers/backtrack.harness.js';
import { PARTS, SRC, projectZip, seedAccount } from '../helpers/destructive-project.js';
import { deployCompleted, demoOrgId, newBranch, upload } from '../helpers/deploy-flow.js';
import { closeStarted } from '../helpers/lifecycle.js';

/** A record type of Account as `sf project retrieve start` writes it. */
const RECORD_TYPE = `<?xml version="1.0" encoding="UTF-8"?>
<RecordType xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Partner</fullName>
    <active>true</active>
    <label>Partner</label>
</RecordType>
`;
const V1 = {
  ...PARTS['ApexClass:Keep'],
  ...PARTS['CustomField:Account.Tier__c'],
  [`${SRC}/objects/Account/recordTypes/Partner.recordType-meta.xml`]: RECORD_TYPE,
};
const key = (c: { type: string; fullName: string }) => `${c.type}:${c.fullName}`;

describe('What cannot be undone: labels before the deploy, acceptDataLoss, manual steps in the rollback', () => {
  let h: Harness;
  let orgId: string;
  let branchId: string;
  let deployId: string;

  const zip = (files: Record<string, string>) => projectZip([], files);
  const activities = async () =>
    (await h.api('GET', `/api/branches/${branchId}/activities?limit=100`)).body.items.length;
  const candidates = async () =>
    Object.fromEntries((await h.api('GET', `/api/jobs/${deployId}/rollback`)).body.items.map((c: any) => [key(c), c]));

  beforeAll(async () => {
    h = await startHarness();
    await seedAccount(h.backtrack.emulator!);
    orgId = await demoOrgId(h);
    branchId = await newBranch(h, 'reversibility');
    await upload(h, branchId, await zip(V1));
  });
  afterAll(() => closeStarted(h));

  it('a dry run labels a created field "reversible with data loss" and a created record type "manual"', async () => {
    const res = await h.api('POST', `/api/branches/${branchId}/deployments`, { body: { orgId, dryRun: true } });
    expect(res.status).toBe(200);
    const created = Object.fromEntries(res.body.create.map((c: any) => [key(c), c.reversibility]));
    expect(Object.keys(created).sort()).toEqual([
      'ApexClass:Keep',
      'CustomField:Account.Tier__c',
      'RecordType:Account.Partner',
    ]);
    expect(created['CustomField:Account.Tier__c']).toEqual({
      label: 'dataLoss',
      reason: expect.stringMatching(/rolling back deletes it, and every value entered in it since goes with it/),
      checklist: expect.arrayContaining([expect.stringMatching(/within 15 days.*Undelete/)]),
    });
    expect(created['RecordType:Account.Partner']).toEqual({
      label: 'manual',
      reason: expect.stringMatching(/Salesforce does not delete record types through the API/),
      checklist: [
        'Setup → Object Manager → Account → Record Types → Partner: deactivate it.',
        expect.stringMatching(/^Reassign the records that use it/),
      ],
    });
    expect(created['ApexClass:Keep'].label).toBe('reversible');
  });

  it('labels each rollback candidate for rolling that change back', async () => {
    deployId = await deployCompleted(h, branchId, orgId);
    const items = await candidates();
    expect(items['CustomField:Account.Tier__c'].reversibility.label).toBe('dataLoss');
    expect(items['RecordType:Account.Partner'].reversibility.label).toBe('manual');
    expect(items['ApexClass:Keep'].reversibility.label).toBe('reversible');
  });

  it('refuses a rollback that deletes a created field without acceptDataLoss: 409, nothing queued, nothing claimed', async () => {
    const jobsBefore = await activities();
    for (const [route, body] of [
      [`/api/jobs/${deployId}/rollback`, { all: true }],
      [`/api/jobs/${deployId}/rollback`, { components: [{ type: 'CustomField', fullName: 'Account.Tier__c' }] }],
      [`/api/branches/${branchId}/rollback`, { orgId, all: true }],
    ] as const) {
      const res = await h.api('POST', route, { body });
      expect(res.status).toBe(409);
      expect(res.body.message).toMatch(
        /Rolling back CustomField:Account.Tier__c loses data .*Nothing was queued\. Send acceptDataLoss: true to confirm/,
      );
      expect(res.body.dataLoss).toEqual([
        { type: 'CustomField', fullName: 'Account.Tier__c', reason: expect.stringContaining('deletes it') },
      ]);
    }
    expect(await activities()).toBe(jobsBefore);
    expect(Object.values(await candidates()).every((c: any) => c.available)).toBe(true);
  });

  it('with acceptDataLoss rolls back the rest, skips the record type and lists what is left for a person', async () => {
    const res = await h.api('POST', `/api/jobs/${deployId}/rollback`, { body: { all: true, acceptDataLoss: true } });
    expect(res.status).toBe(202);
    const job = await waitForJob(h, res.body.id, 120_000);
    expect(job.error ?? null).toBeNull();
    expect(job.status).toBe('Completed');
    expect(job.counts).toMatchObject({ total: 3, succeeded: 2, skipped: 1, failed: 0 });
    expect(job.manualSteps).toEqual([
      expect.objectContaining({
        type: 'RecordType',
        fullName: 'Account.Partner',
        reason: expect.stringMatching(/does not delete record types through the API/),
        checklist: expect.arrayContaining([expect.stringMatching(/deactivate it/)]),
      }),
    ]);

    const rows = (await h.api('GET', `/api/jobs/${job.id}/components`)).body.items;
    const byKey = Object.fromEntries(rows.map((r: any) => [key(r), r]));
    expect(byKey['CustomField:Account.Tier__c']).toMatchObject({ action: 'delete', status: 'Succeeded' });
    expect(byKey['ApexClass:Keep']).toMatchObject({ action: 'delete', status: 'Succeeded' });
    expect(byKey['RecordType:Account.Partner']).toMatchObject({
      action: 'delete',
      status: 'Skipped',
      problem: expect.stringMatching(/^Not rolled back, left for a person: /),
    });

    const logs = (await h.api('GET', `/api/jobs/${job.id}/logs`)).body.items.map((l: any) => l.message);
    const last = logs.filter((m: string) => m.startsWith('Left for a person to do:'));
    expect(last).toHaveLength(1);
    expect(last[0]).toMatch(/RecordType:Account.Partner: .*Checklist: Setup → Object Manager → Account → Record Types/);
    expect(logs.some((m: string) => /Rolled back/.test(m) && /Partner/.test(m))).toBe(false);

    // the org: the field and the class are gone, the record type is still there (the API never deletes it)
    const emulator = h.backtrack.emulator!;
    const org = emulator.defaultOrg.id;
    expect(emulator.admin.getComponent(org, 'CustomField', 'Account.Tier__c')).toBeUndefined();
    expect(emulator.admin.getComponent(org, 'RecordType', 'Account.Partner')).toBeDefined();
    // a manual item is never shown as rolled back: it is offered again, still labelled manual
    const after = await candidates();
    expect(after['RecordType:Account.Partner']).toMatchObject({ available: true, reversibility: { label: 'manual' } });
    expect(after['CustomField:Account.Tier__c'].available).toBe(false);
  });

  it("a dry run reads the org's picklist: a value added is manual (it can only be deactivated), one removed comes back", async () => {
    const value = (v: string) =>
      `            <value>\n                <fullName>${v}</fullName>\n                <default>false</default>\n                <label>${v}</label>\n            </value>\n`;
    const picklist = (indent: string, values: string[]) =>
      `${indent}<fullName>Stage__c</fullName>\n${indent}<label>Stage</label>\n${indent}<type>Picklist</type>\n` +
      `${indent}<valueSet>\n${indent}    <valueSetDefinition>\n${values.map(value).join('')}${indent}    </valueSetDefinition>\n${indent}</valueSet>\n`;
    const emulator = h.backtrack.emulator!;
    await emulator.admin.seed(emulator.defaultOrg.id, {
      components: [
        {
          files: {
            'objects/Account.object':
              '<?xml version="1.0" encoding="UTF-8"?>\n<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">\n' +
              `    <fields>\n${picklist('        ', ['Prospect', 'Customer'])}    </fields>\n    <label>Account</label>\n</CustomObject>\n`,
          },
        },
      ],
    });
    const field = (values: string[]) => ({
      [`${SRC}/objects/Account/fields/Stage__c.field-meta.xml`]:
        '<?xml version="1.0" encoding="UTF-8"?>\n<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">\n' +
        picklist('    ', values) +
        '</CustomField>\n',
    });
    const labelOf = async (values: string[]) => {
      await upload(h, branchId, await zip({ ...PARTS['ApexClass:Keep'], ...field(values) }));
      const res = await h.api('POST', `/api/branches/${branchId}/deployments`, { body: { orgId, dryRun: true } });
      expect(res.status).toBe(200);
      return res.body.update.find((c: any) => key(c) === 'CustomField:Account.Stage__c').reversibility;
    };
    expect(await labelOf(['Prospect', 'Customer', 'Partner'])).toEqual({
      label: 'manual',
      reason: expect.stringMatching(/adds picklist value\(s\) Partner to Account.Stage__c.*only deactivate them/),
      checklist: expect.arrayContaining([expect.stringMatching(/delete \(or replace with an earlier value\) Partner/)]),
    });
    expect(await labelOf(['Prospect'])).toEqual({
      label: 'reversible',
      reason: expect.stringMatching(/deactivates picklist value\(s\) Customer .*rolling back makes them active again/),
      checklist: [],
    });

    // deployed: the rollback's candidates read the backup of the picklist the deploy sent (the values before it)
    await upload(h, branchId, await zip({ ...PARTS['ApexClass:Keep'], ...field(['Prospect', 'Customer', 'Partner']) }));
    deployId = await deployCompleted(h, branchId, orgId);
    const stage = (await candidates())['CustomField:Account.Stage__c'];
    expect(stage.deployAction).toBe('updated');
    expect(stage.reversibility).toEqual({
      label: 'manual',
      reason: expect.stringMatching(/adds picklist value\(s\) Partner to Account.Stage__c/),
      checklist: expect.arrayContaining([expect.stringMatching(/Partner/)]),
    });
  });
});
