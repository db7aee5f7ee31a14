import { describe, expect, it } from '@jest/globals';
import { readsFilesBefore, reversibility } from './reversibility.js';

const file = (path: string, xml: string) => ({ path, content: Buffer.from(xml) });
const FIELD_PATH = 'force-app/main/default/objects/Invoice__c/fields/Status__c.field-meta.xml';

/** A source-format picklist field as SFDX writes it. */
function picklist(values: string[], extra = '', inactive: string[] = []): string {
  const value = (v: string) =>
    `            <value>\n                <fullName>${v}</fullName>\n                <default>false</default>\n` +
    `${inactive.includes(v) ? '                <isActive>false</isActive>\n' : ''}                <label>${v}</label>\n            </value>\n`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Status__c</fullName>
    <label>Status</label>
    <type>Picklist</type>
    <valueSet>
${extra}        <restricted>true</restricted>
        <valueSetDefinition>
            <sorted>false</sorted>
${values.map(value).join('')}        </valueSetDefinition>
    </valueSet>
</CustomField>
`;
}
const field = (values: string[], extra = '', inactive: string[] = []) => [
  file(FIELD_PATH, picklist(values, extra, inactive)),
];

describe('reversibility', () => {
  it('labels a created custom field "reversible with data loss", with how to undelete it within 15 days', () => {
    const r = reversibility({ type: 'CustomField', fullName: 'Account.Tier__c', change: 'create' });
    expect(r.label).toBe('dataLoss');
    expect(r.reason).toMatch(/deletes it, and every value entered in it since goes with it/);
    expect(r.reason).toContain('15 days');
    expect(r.checklist.join(' ')).toMatch(/Deleted Fields list of its object → Undelete/);
  });

  it('labels a created custom object data loss, and a deleted field (recreated empty) data loss too', () => {
    expect(reversibility({ type: 'CustomObject', fullName: 'Inv__c', change: 'create' }).checklist.join(' ')).toMatch(
      /Deleted Objects list/,
    );
    const deleted = reversibility({ type: 'CustomField', fullName: 'Account.Tier__c', change: 'delete' });
    expect(deleted.label).toBe('dataLoss');
    expect(deleted.reason).toMatch(/recreates it empty.*undeleting it in Setup within 15 days/);
  });

  it('labels a created record type manual: the API cannot delete it; the checklist deactivates and reassigns', () => {
    const r = reversibility({ type: 'RecordType', fullName: 'Account.Partner', change: 'create' });
    expect(r.label).toBe('manual');
    expect(r.reason).toMatch(/does not delete record types through the API/);
    expect(r.checklist[0]).toBe('Setup → Object Manager → Account → Record Types → Partner: deactivate it.');
    expect(r.checklist[1]).toMatch(/Reassign the records/);
    expect(reversibility({ type: 'RecordType', fullName: 'Account.Partner', change: 'update' }).label).toBe(
      'reversible',
    );
    expect(reversibility({ type: 'RecordType', fullName: 'Account.Partner', change: 'delete' }).reason).toMatch(
      /the deploy fails on Account.Partner/,
    );
  });

  it('labels a field update that adds picklist values manual, naming the values', () => {
    const r = reversibility({
      type: 'CustomField',
      fullName: 'Invoice__c.Status__c',
      change: 'update',
      before: field(['Open', 'Paid']),
      after: field(['Open', 'Paid', 'Disputed']),
    });
    expect(r.label).toBe('manual');
    expect(r.reason).toMatch(/adds picklist value\(s\) Disputed to Invoice__c.Status__c.*only deactivate them/);
    expect(r.checklist[0]).toMatch(/delete \(or replace with an earlier value\) Disputed/);
  });

  it('says values a deploy removes were deactivated and come back (reversible)', () => {
    const before = field(['Open', 'Paid', 'Void']);
    for (const after of [field(['Open', 'Paid']), field(['Open', 'Paid', 'Void'], '', ['Void'])]) {
      const r = reversibility({
        type: 'CustomField',
        fullName: 'Invoice__c.Status__c',
        change: 'update',
        before,
        after,
      });
      expect(r).toEqual({
        label: 'reversible',
        reason: expect.stringMatching(/deactivates picklist value\(s\) Void .*rolling back makes them active again/),
        checklist: [],
      });
    }
  });

  it('reads a field inside a metadata-format object file (the snapshot form) as well', () => {
    const obj = `<?xml version="1.0" encoding="UTF-8"?>
<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">
    <fields>
        <fullName>Other__c</fullName>
        <type>Text</type>
    </fields>
    <fields>
        <fullName>Status__c</fullName>
        <type>Picklist</type>
        <valueSet>
            <valueSetDefinition>
                <value><fullName>Open</fullName><default>false</default><label>Open</label></value>
            </valueSetDefinition>
        </valueSet>
    </fields>
</CustomObject>
`;
    const r = reversibility({
      type: 'CustomField',
      fullName: 'Invoice__c.Status__c',
      change: 'update',
      before: [file('objects/Invoice__c.object', obj)],
      after: field(['Open', 'Late']),
    });
    expect(r.reason).toMatch(/adds picklist value\(s\) Late/);
  });

  it('labels a local picklist converted to a global value set manual (cannot be converted back)', () => {
    const global = FIELD_PATH;
    const after = [
      file(
        global,
        `<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Status__c</fullName>
    <type>Picklist</type>
    <valueSet>
        <restricted>true</restricted>
        <valueSetName>Invoice_Statuses</valueSetName>
    </valueSet>
</CustomField>
`,
      ),
    ];
    const r = reversibility({
      type: 'CustomField',
      fullName: 'Invoice__c.Status__c',
      change: 'update',
      before: field(['Open']),
      after,
    });
    expect(r.label).toBe('manual');
    expect(r.reason).toMatch(/global value set Invoice_Statuses; Salesforce cannot convert a field back/);
  });

  it('labels a field dependency change manual', () => {
    const dependency =
      '        <controllingField>Region__c</controllingField>\n' +
      '        <valueSettings>\n            <controllingFieldValue>EMEA</controllingFieldValue>\n' +
      '            <valueName>Open</valueName>\n        </valueSettings>\n';
    const r = reversibility({
      type: 'CustomField',
      fullName: 'Invoice__c.Status__c',
      change: 'update',
      before: field(['Open']),
      after: field(['Open'], dependency),
    });
    expect(r.label).toBe('manual');
    expect(r.checklist[0]).toMatch(/Field Dependencies/);
  });

  it('without the field as it was (a dry run), a picklist update is manual and says what it could not tell', () => {
    const r = reversibility({
      type: 'CustomField',
      fullName: 'Invoice__c.Status__c',
      change: 'update',
      after: field(['Open']),
    });
    expect(r.label).toBe('manual');
    expect(r.reason).toMatch(/were not read before the deploy/);
    const text = reversibility({
      type: 'CustomField',
      fullName: 'Invoice__c.Amount__c',
      change: 'update',
      after: [
        file(
          'x/Amount__c.field-meta.xml',
          '<CustomField><fullName>Amount__c</fullName><type>Currency</type></CustomField>',
        ),
      ],
    });
    expect(text.label).toBe('reversible');
  });

  it('labels a changed Lightning page assignment of an app manual', () => {
    const app = (page: string) => [
      file(
        'force-app/main/default/applications/Sales.app-meta.xml',
        `<?xml version="1.0" encoding="UTF-8"?>
<CustomApplication xmlns="http://soap.sforce.com/2006/04/metadata">
    <profileActionOverrides>
        <actionName>View</actionName>
        <content>${page}</content>
        <formFactor>Large</formFactor>
        <pageOrSobjectType>Account</pageOrSobjectType>
        <type>Flexipage</type>
        <profile>Admin</profile>
    </profileActionOverrides>
    <label>Sales</label>
</CustomApplication>
`,
      ),
    ];
    const r = reversibility({
      type: 'CustomApplication',
      fullName: 'Sales',
      change: 'update',
      before: app('Account_Record_Page'),
      after: app('Account_Record_Page_v2'),
    });
    expect(r.label).toBe('manual');
    expect(r.reason).toMatch(/Account_Record_Page_v2 \(Account, View, Large, Admin\)/);
    expect(r.checklist[0]).toMatch(/Activation.*\(Account_Record_Page \(Account, View, Large, Admin\)\)/);
    const same = { before: app('P'), after: app('P') };
    expect(reversibility({ type: 'CustomApplication', fullName: 'Sales', change: 'update', ...same }).label).toBe(
      'reversible',
    );
  });

  it('labels profile changes a redeploy cannot put back (user license, login IP ranges) manual', () => {
    const profile = (license: string, ranges: string) => [
      file(
        'force-app/main/default/profiles/Support.profile-meta.xml',
        `<?xml version="1.0" encoding="UTF-8"?>
<Profile xmlns="http://soap.sforce.com/2006/04/metadata">
    <custom>true</custom>
${ranges}    <userLicense>${license}</userLicense>
</Profile>
`,
      ),
    ];
    const range =
      '    <loginIpRanges>\n        <endAddress>10.0.0.255</endAddress>\n        <startAddress>10.0.0.1</startAddress>\n    </loginIpRanges>\n';
    const r = reversibility({
      type: 'Profile',
      fullName: 'Support',
      change: 'update',
      before: profile('Salesforce', ''),
      after: profile('Salesforce Platform', range),
    });
    expect(r.label).toBe('manual');
    expect(r.reason).toMatch(/user license \(Salesforce → Salesforce Platform\) and its login IP ranges/);
    expect(r.checklist).toHaveLength(2);
    const same = profile('Salesforce', range);
    expect(
      reversibility({ type: 'Profile', fullName: 'Support', change: 'update', before: same, after: same }).label,
    ).toBe('reversible');
  });

  it('labels everything else reversible', () => {
    for (const type of ['ApexClass', 'LightningComponentBundle', 'Layout'])
      for (const change of ['create', 'update', 'delete'] as const)
        expect(reversibility({ type, fullName: 'X', change }).label).toBe('reversible');
  });

  it('says what rolling back a reversible change does: delete what the deploy created, restore or recreate the rest', () => {
    const reason = (change: 'create' | 'update' | 'delete') =>
      reversibility({ type: 'ApexClass', fullName: 'X', change }).reason;
    expect(reason('create')).toMatch(/^Rolling back deletes it/);
    expect(reason('update')).toMatch(/^Rolling back restores it from the backup/);
    expect(reason('delete')).toMatch(/^Rolling back recreates it from the backup/);
  });
});

describe('readsFilesBefore', () => {
  const text = (label: string) =>
    `<?xml version="1.0" encoding="UTF-8"?>\n<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">\n    <fullName>Status__c</fullName>\n    <label>${label}</label>\n    <type>Text</type>\n</CustomField>\n`;

  it("reads a field's backup only when the deploy sent a picklist, and an app's or a profile's always", () => {
    expect(readsFilesBefore('CustomField', field(['Open']))).toBe(true);
    expect(readsFilesBefore('CustomField', [file(FIELD_PATH, text('Status'))])).toBe(false);
    expect(readsFilesBefore('CustomField', undefined)).toBe(false);
    expect(readsFilesBefore('CustomApplication', undefined)).toBe(true);
    expect(readsFilesBefore('Profile', [file('profiles/Admin.profile', '<Profile/>')])).toBe(true);
  });

  it('agrees with the label: a field update it does not read the backup of is reversible without it', () => {
    const after = [file(FIELD_PATH, text('Status (renamed)'))];
    const input = { type: 'CustomField', fullName: 'Invoice__c.Status__c', change: 'update' as const };
    expect(readsFilesBefore('CustomField', after)).toBe(false);
    expect(reversibility({ ...input, after })).toEqual(
      reversibility({ ...input, after, before: [file(FIELD_PATH, text('Status'))] }),
    );
    expect(reversibility({ ...input, after }).label).toBe('reversible');
  });
});
