// API names are case-insensitive in Salesforce: the emulator keeps one component per name whatever its case.
import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import type jsforce from 'jsforce';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/emulator.server.js';
import {
  apexClass,
  classMeta,
  componentMessages,
  connect,
  customObject,
  deployAndWait,
  deployDeletion,
  field,
  packageXml,
  retrieveAndWait,
} from './emulator.helper.js';
import { makeZip } from './zip.helper.js';

describe('case-insensitive API names in the emulator', () => {
  let emulator: EmulatorHandle;
  let conn: jsforce.Connection;
  let fieldId: string | undefined;

  beforeAll(async () => {
    emulator = await startEmulator({ latencyMs: 0 });
    conn = connect(emulator.url, emulator.defaultOrg.accessToken);
    const zip = await makeZip({
      'package.xml': packageXml({ CustomObject: ['Invoice__c'], ApexClass: ['InvoiceService'] }),
      'objects/Invoice__c.object': customObject(field('accountId__c')),
      'classes/InvoiceService.cls': apexClass('InvoiceService'),
      'classes/InvoiceService.cls-meta.xml': classMeta,
    });
    const result = await deployAndWait(conn, zip);
    fieldId =
      componentMessages(result.details?.componentSuccesses).find((m) => m.fullName === 'Invoice__c.accountId__c')?.id ??
      undefined;
  });
  afterAll(() => emulator.close());

  const fields = () => emulator.admin.listComponents(emulator.defaultOrg.id, 'CustomField').map((c) => c.fullName);

  it('updates the existing field when a deploy only changes the case of its name, which takes the new case', async () => {
    const zip = await makeZip({
      'package.xml': packageXml({ CustomField: ['Invoice__c.AccountId__c'] }),
      'objects/Invoice__c.object': customObject(field('AccountId__c')),
    });
    const result = await deployAndWait(conn, zip);
    expect(result.status).toBe('Succeeded');
    const message = componentMessages(result.details?.componentSuccesses).find(
      (m) => m.componentType === 'CustomField',
    );
    expect(message).toMatchObject({ fullName: 'Invoice__c.AccountId__c', created: false, changed: true, id: fieldId });
    expect(fields()).toEqual(['Invoice__c.AccountId__c']);
  });

  it('retrieves and lists a component named in another case under the name the org holds', async () => {
    const { result, files } = await retrieveAndWait(conn, [{ name: 'ApexClass', members: ['invoiceservice'] }]);
    expect(result.messages ?? []).toEqual([]);
    expect(files.get('classes/InvoiceService.cls')?.toString('utf8')).toBe(apexClass('InvoiceService'));
    const listed = await conn.metadata.list([{ type: 'CustomField' }]);
    expect((Array.isArray(listed) ? listed : [listed]).map((p) => p.fullName)).toEqual(['Invoice__c.AccountId__c']);
  });

  it('deletes a component named in another case', async () => {
    const result = await deployDeletion(conn, { CustomField: ['INVOICE__C.accountid__c'] });
    expect(componentMessages(result.details?.componentFailures)).toEqual([]);
    expect(fields()).toEqual([]);
  });
});
