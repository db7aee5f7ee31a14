import { describe, it, expect } from '@jest/globals';
import {
  apexClass,
  classMeta,
  componentMessages,
  customObject,
  deployAndWait,
  deployDeletion,
  emulatorSuite,
  field,
  packageXml,
  retrieveAndWait,
  starterFiles,
} from './emulator.helper.js';
import { makeZip } from './zip.helper.js';

describe('deploy and retrieve through jsforce', () => {
  const { newOrg } = emulatorSuite({ latencyMs: 20 });

  it('creates a class, an object with two fields and an LWC bundle, and retrieves them unchanged', async () => {
    const { conn } = newOrg();
    const files = starterFiles();
    const result = await deployAndWait(conn, await makeZip(files));

    expect(result.status).toBe('Succeeded');
    expect(result.success).toBe(true);
    const successes = componentMessages(result.details?.componentSuccesses);
    const created = (type: string) =>
      successes
        .filter((m) => m.componentType === type && m.created)
        .map((m) => m.fullName)
        .sort();
    expect(created('ApexClass')).toEqual(['InvoiceService']);
    expect(created('CustomObject')).toEqual(['Invoice__c']);
    expect(created('LightningComponentBundle')).toEqual(['invoiceCard']);
    expect(created('CustomField')).toEqual(['Invoice__c.Amount__c', 'Invoice__c.Status__c']);
    expect(result.numberComponentsTotal).toBe(5);
    expect(result.numberComponentErrors).toBe(0);

    const { result: retrieved, files: zip } = await retrieveAndWait(conn, [
      { name: 'ApexClass', members: ['InvoiceService'] },
      { name: 'CustomObject', members: ['Invoice__c'] },
      { name: 'LightningComponentBundle', members: ['invoiceCard'] },
    ]);
    expect(retrieved.success).toBe(true);
    for (const path of [
      'classes/InvoiceService.cls',
      'classes/InvoiceService.cls-meta.xml',
      'lwc/invoiceCard/invoiceCard.js',
      'lwc/invoiceCard/invoiceCard.html',
      'lwc/invoiceCard/invoiceCard.js-meta.xml',
    ]) {
      expect(zip.get(path)).toEqual(Buffer.from(files[path] as string));
    }
    const object = zip.get('objects/Invoice__c.object')?.toString('utf8') ?? '';
    expect(object).toMatch(/<fullName>Amount__c<\/fullName>/);
    expect(object).toMatch(/<fullName>Status__c<\/fullName>/);
    expect(object).toMatch(/<label>Invoice<\/label>/);
    expect(zip.has('package.xml')).toBeTruthy();
  });

  it('reports every component unchanged when the same zip is deployed again', async () => {
    const { conn } = newOrg();
    const zip = await makeZip(starterFiles());
    await deployAndWait(conn, zip);
    const again = await deployAndWait(conn, zip);
    expect(again.status).toBe('Succeeded');
    const successes = componentMessages(again.details?.componentSuccesses);
    expect(successes.length).toBe(5);
    for (const message of successes) {
      expect(message.created).toBe(false);
      expect(message.changed).toBe(false);
    }
  });

  it('redeploys a retrieved object without changing it', async () => {
    const { conn } = newOrg();
    await deployAndWait(conn, await makeZip(starterFiles()));
    const { files } = await retrieveAndWait(conn, [{ name: 'CustomObject', members: ['Invoice__c'] }]);
    const again = await deployAndWait(
      conn,
      await makeZip({
        'package.xml': packageXml({ CustomObject: ['Invoice__c'] }),
        'objects/Invoice__c.object': files.get('objects/Invoice__c.object') as Buffer,
      }),
    );
    expect(
      componentMessages(again.details?.componentSuccesses)
        .map((m) => [m.fullName, m.created, m.changed])
        .sort(),
    ).toEqual([
      ['Invoice__c', false, false],
      ['Invoice__c.Amount__c', false, false],
      ['Invoice__c.Status__c', false, false],
    ]);
  });

  it('deletes one field listed in destructiveChangesPost.xml and keeps the other', async () => {
    const { conn } = newOrg();
    await deployAndWait(conn, await makeZip(starterFiles()));
    const result = await deployDeletion(conn, { CustomField: ['Invoice__c.Status__c'] }, 'destructiveChangesPost.xml');
    expect(result.status).toBe('Succeeded');
    expect(
      componentMessages(result.details?.componentSuccesses).map((m) => [m.componentType, m.fullName, m.deleted]),
    ).toEqual([['CustomField', 'Invoice__c.Status__c', true]]);
    const { files } = await retrieveAndWait(conn, [{ name: 'CustomObject', members: ['Invoice__c'] }]);
    const object = files.get('objects/Invoice__c.object')?.toString('utf8') ?? '';
    expect(object).not.toMatch(/Status__c/);
    expect(object).toMatch(/Amount__c/);
  });

  it('upserts the fields an object file holds and keeps the fields it omits', async () => {
    const { conn } = newOrg();
    await deployAndWait(conn, await makeZip(starterFiles()));
    const result = await deployAndWait(
      conn,
      await makeZip({
        'package.xml': packageXml({ CustomObject: ['Invoice__c'] }),
        'objects/Invoice__c.object': customObject(field('Amount__c', 'Currency'), field('Due__c')),
      }),
    );
    const states = Object.fromEntries(
      componentMessages(result.details?.componentSuccesses).map((m) => [
        m.fullName,
        m.created ? 'created' : m.changed ? 'changed' : 'unchanged',
      ]),
    );
    expect(states).toEqual({
      'Invoice__c.Amount__c': 'changed',
      'Invoice__c.Due__c': 'created',
      Invoice__c: 'changed',
    });
    const { files } = await retrieveAndWait(conn, [{ name: 'CustomObject', members: ['Invoice__c'] }]);
    expect(files.get('objects/Invoice__c.object')?.toString('utf8') ?? '').toMatch(/Status__c/);
  });

  it('retrieves a single field as an object file holding only that field', async () => {
    const { conn } = newOrg();
    await deployAndWait(conn, await makeZip(starterFiles()));
    const { result, files } = await retrieveAndWait(
      conn,
      [{ name: 'CustomField', members: ['Invoice__c.Amount__c'] }],
      false,
    );
    const object = files.get('unpackaged/objects/Invoice__c.object')?.toString('utf8') ?? '';
    expect(object).toMatch(/Amount__c/);
    expect(object).not.toMatch(/Status__c/);
    const props = Array.isArray(result.fileProperties) ? result.fileProperties : [result.fileProperties];
    expect(
      props.some(
        (p) =>
          p.type === 'CustomField' &&
          p.fullName === 'Invoice__c.Amount__c' &&
          p.fileName === 'unpackaged/objects/Invoice__c.object',
      ),
    ).toBeTruthy();
  });

  it('answers a retrieve of a missing class with a "cannot be found" message and success', async () => {
    const { conn } = newOrg();
    const { result } = await retrieveAndWait(conn, [{ name: 'ApexClass', members: ['Missing'] }]);
    expect(result.success).toBe(true);
    expect(result.status).toBe('Succeeded');
    const messages = Array.isArray(result.messages) ? result.messages : [result.messages];
    expect(messages.map((m) => m?.problem)).toEqual(["Entity of type 'ApexClass' named 'Missing' cannot be found"]);
  });

  it('retrieves every class with the * wildcard', async () => {
    const { conn } = newOrg();
    await deployAndWait(
      conn,
      await makeZip({
        'package.xml': packageXml({ ApexClass: ['*'] }),
        'classes/A.cls': apexClass('A'),
        'classes/A.cls-meta.xml': classMeta,
        'classes/B.cls': apexClass('B'),
        'classes/B.cls-meta.xml': classMeta,
      }),
    );
    const { files } = await retrieveAndWait(conn, [{ name: 'ApexClass', members: ['*'] }]);
    expect([...files.keys()].sort()).toEqual([
      'classes/A.cls',
      'classes/A.cls-meta.xml',
      'classes/B.cls',
      'classes/B.cls-meta.xml',
      'package.xml',
    ]);
  });

  it('accepts a package under one folder (unpackaged/package.xml)', async () => {
    const { conn } = newOrg();
    const zip = await makeZip({
      'unpackaged/package.xml': packageXml({ ApexClass: ['A'] }),
      'unpackaged/classes/A.cls': apexClass('A'),
      'unpackaged/classes/A.cls-meta.xml': classMeta,
    });
    const result = await deployAndWait(conn, zip, { singlePackage: false });
    expect(result.status).toBe('Succeeded');
    expect(componentMessages(result.details?.componentSuccesses).map((m) => m.fullName)).toEqual(['A']);
  });

  it('fails a component named in package.xml but missing from the zip', async () => {
    const { conn } = newOrg();
    const result = await deployAndWait(conn, await makeZip({ 'package.xml': packageXml({ ApexClass: ['Ghost'] }) }));
    expect(result.status).toBe('Failed');
    expect(componentMessages(result.details?.componentFailures)[0]?.problem ?? '').toMatch(
      /An object 'Ghost' of type ApexClass was named in package.xml/,
    );
  });

  it('fails a file in an unknown folder', async () => {
    const { conn } = newOrg();
    const result = await deployAndWait(
      conn,
      await makeZip({ 'package.xml': packageXml({}), 'widgets/W.widget': '<Widget/>' }),
    );
    expect(result.status).toBe('Failed');
    const failures = Array.isArray(result.details?.componentFailures)
      ? result.details.componentFailures
      : [result.details?.componentFailures];
    expect(failures[0]?.problem ?? '').toMatch(/Unknown metadata folder 'widgets'/);
  });
});
