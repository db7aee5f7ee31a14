import { describe, it, expect } from '@jest/globals';
import {
  componentMessages,
  customObject,
  deployAndWait,
  deployDeletion,
  emulatorSuite,
  field,
  packageXml,
  retrieveAndWait,
} from './emulator.helper.js';
import { makeZip } from './zip.helper.js';

const recordType = (name: string) => `    <recordTypes>
        <fullName>${name}</fullName>
        <active>true</active>
        <label>${name}</label>
    </recordTypes>
`;

/** A picklist field as Salesforce retrieves it inside an object file. */
const picklist = (name: string, values: string[]) => `    <fields>
        <fullName>${name}</fullName>
        <label>${name}</label>
        <type>Picklist</type>
        <valueSet>
            <restricted>true</restricted>
            <valueSetDefinition>
                <sorted>false</sorted>
${values
  .map(
    (v) =>
      `                <value>\n                    <fullName>${v}</fullName>\n                    <default>false</default>\n                    <label>${v}</label>\n                </value>\n`,
  )
  .join('')}            </valueSetDefinition>
        </valueSet>
    </fields>
`;

describe('what Salesforce does not let a deploy undo, through jsforce', () => {
  const { emulator, newOrg } = emulatorSuite({ latencyMs: 20 });

  it('refuses to delete a record type through destructive changes, as Salesforce does', async () => {
    const { conn } = newOrg();
    const created = await deployAndWait(
      conn,
      await makeZip({
        'package.xml': packageXml({ CustomObject: ['Invoice__c'] }),
        'objects/Invoice__c.object': customObject(field('Amount__c', 'Number'), recordType('Partner')),
      }),
    );
    expect(created.status).toBe('Succeeded');

    const result = await deployDeletion(conn, { RecordType: ['Invoice__c.Partner'] });
    expect(result.status).toBe('Failed');
    const failures = componentMessages(result.details?.componentFailures);
    expect(failures).toEqual([
      expect.objectContaining({
        componentType: 'RecordType',
        fullName: 'Invoice__c.Partner',
        problem: 'Cannot delete record type through API',
        problemType: 'Error',
      }),
    ]);
    const { files } = await retrieveAndWait(conn, [{ name: 'RecordType', members: ['Invoice__c.Partner'] }]);
    expect(files.get('objects/Invoice__c.object')?.toString()).toContain('<fullName>Partner</fullName>');
  });

  it('keeps the picklist values a deploy omits, inactive (<isActive>false</isActive>), and retrieves them', async () => {
    const { conn } = newOrg();
    const deploy = async (values: string[]) =>
      deployAndWait(
        conn,
        await makeZip({
          'package.xml': packageXml({ CustomObject: ['Invoice__c'] }),
          'objects/Invoice__c.object': customObject(picklist('Status__c', values)),
        }),
      );
    expect((await deploy(['Open', 'Paid', 'Disputed'])).status).toBe('Succeeded');
    expect((await deploy(['Open', 'Paid'])).status).toBe('Succeeded');

    const { files } = await retrieveAndWait(conn, [{ name: 'CustomField', members: ['Invoice__c.Status__c'] }]);
    const xml = files.get('objects/Invoice__c.object')!.toString();
    const values = [...xml.matchAll(/<value>([\s\S]*?)<\/value>/g)].map((m) => ({
      name: /<fullName>(.*)<\/fullName>/.exec(m[1]!)![1],
      inactive: m[1]!.includes('<isActive>false</isActive>'),
    }));
    expect(values).toEqual([
      { name: 'Open', inactive: false },
      { name: 'Paid', inactive: false },
      { name: 'Disputed', inactive: true },
    ]);

    // deploying the value again makes it active again
    expect((await deploy(['Open', 'Paid', 'Disputed'])).status).toBe('Succeeded');
    const again = (await retrieveAndWait(conn, [{ name: 'CustomField', members: ['Invoice__c.Status__c'] }])).files;
    expect(again.get('objects/Invoice__c.object')!.toString()).not.toContain('<isActive>false</isActive>');
  });

  it("keeps a deleted custom field in the org's Deleted Fields list for 15 days (admin API)", async () => {
    const { org, conn } = newOrg();
    await deployAndWait(
      conn,
      await makeZip({
        'package.xml': packageXml({ CustomObject: ['Invoice__c'] }),
        'objects/Invoice__c.object': customObject(field('Amount__c', 'Number'), field('Notes__c')),
      }),
    );
    const before = Date.now();
    const deleted = await deployDeletion(conn, { CustomField: ['Invoice__c.Notes__c'] }, 'destructiveChangesPost.xml');
    expect(deleted.status).toBe('Succeeded');

    const response = await fetch(`${emulator().url}/__admin/orgs/${org.id}/deleted-fields`, {
      headers: { 'x-emulator-admin': emulator().adminKey },
    });
    expect(response.status).toBe(200);
    const list = (await response.json()) as { fullName: string; deletedDate: string; erasedAfter: string }[];
    expect(list.map((f) => f.fullName)).toEqual(['Invoice__c.Notes__c']);
    const [entry] = list;
    expect(Date.parse(entry!.deletedDate)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(entry!.erasedAfter) - Date.parse(entry!.deletedDate)).toBe(15 * 86_400_000);
    const { result } = await retrieveAndWait(conn, [{ name: 'CustomField', members: ['Invoice__c.Notes__c'] }]);
    expect(JSON.stringify(result.messages)).toContain('cannot be found');
  });
});
