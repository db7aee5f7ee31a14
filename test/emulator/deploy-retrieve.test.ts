import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/emulator.server.js';
import {
  apexClass,
  classMeta,
  componentMessages,
  connect,
  customObject,
  deployAndWait,
  field,
  packageXml,
  retrieveAndWait,
  starterFiles,
} from './emulator.helper.js';
import { makeZip } from './zip.helper.js';

describe('deploy and retrieve through jsforce', () => {
  let emulator: EmulatorHandle;

  before(async () => {
    emulator = await startEmulator({ port: 0, latencyMs: 20 });
  });
  after(() => emulator.close());

  /** A fresh org per test, so tests do not see each other's metadata. */
  function newOrg() {
    const org = emulator.admin.createOrg();
    return { org, conn: connect(org.instanceUrl, org.accessToken) };
  }

  it('creates a class, an object with two fields and an LWC bundle, and retrieves them unchanged', async () => {
    const { conn } = newOrg();
    const files = starterFiles();
    const result = await deployAndWait(conn, await makeZip(files));

    assert.equal(result.status, 'Succeeded');
    assert.equal(result.success, true);
    const successes = componentMessages(result.details?.componentSuccesses);
    const created = (type: string) => successes.filter((m) => m.componentType === type && m.created).map((m) => m.fullName).sort();
    assert.deepEqual(created('ApexClass'), ['InvoiceService']);
    assert.deepEqual(created('CustomObject'), ['Invoice__c']);
    assert.deepEqual(created('LightningComponentBundle'), ['invoiceCard']);
    assert.deepEqual(created('CustomField'), ['Invoice__c.Amount__c', 'Invoice__c.Status__c']);
    assert.equal(result.numberComponentsTotal, 5);
    assert.equal(result.numberComponentErrors, 0);

    const { result: retrieved, files: zip } = await retrieveAndWait(conn, [
      { name: 'ApexClass', members: ['InvoiceService'] },
      { name: 'CustomObject', members: ['Invoice__c'] },
      { name: 'LightningComponentBundle', members: ['invoiceCard'] },
    ]);
    assert.equal(retrieved.success, true);
    for (const path of ['classes/InvoiceService.cls', 'classes/InvoiceService.cls-meta.xml', 'lwc/invoiceCard/invoiceCard.js', 'lwc/invoiceCard/invoiceCard.html', 'lwc/invoiceCard/invoiceCard.js-meta.xml']) {
      assert.deepEqual(zip.get(path), Buffer.from(files[path] as string), `${path} comes back byte for byte`);
    }
    const object = zip.get('objects/Invoice__c.object')?.toString('utf8') ?? '';
    assert.match(object, /<fullName>Amount__c<\/fullName>/);
    assert.match(object, /<fullName>Status__c<\/fullName>/);
    assert.match(object, /<label>Invoice<\/label>/);
    assert.ok(zip.has('package.xml'));
  });

  it('reports every component unchanged when the same zip is deployed again', async () => {
    const { conn } = newOrg();
    const zip = await makeZip(starterFiles());
    await deployAndWait(conn, zip);
    const again = await deployAndWait(conn, zip);
    assert.equal(again.status, 'Succeeded');
    const successes = componentMessages(again.details?.componentSuccesses);
    assert.equal(successes.length, 5);
    for (const message of successes) {
      assert.equal(message.created, false, `${message.fullName} not created`);
      assert.equal(message.changed, false, `${message.fullName} not changed`);
    }
  });

  it('redeploys a retrieved object without changing it', async () => {
    const { conn } = newOrg();
    await deployAndWait(conn, await makeZip(starterFiles()));
    const { files } = await retrieveAndWait(conn, [{ name: 'CustomObject', members: ['Invoice__c'] }]);
    const again = await deployAndWait(conn, await makeZip({ 'package.xml': packageXml({ CustomObject: ['Invoice__c'] }), 'objects/Invoice__c.object': files.get('objects/Invoice__c.object') as Buffer }));
    assert.deepEqual(componentMessages(again.details?.componentSuccesses).map((m) => [m.fullName, m.created, m.changed]).sort(), [
      ['Invoice__c', false, false],
      ['Invoice__c.Amount__c', false, false],
      ['Invoice__c.Status__c', false, false],
    ]);
  });

  it('deletes one field listed in destructiveChangesPost.xml and keeps the other', async () => {
    const { conn } = newOrg();
    await deployAndWait(conn, await makeZip(starterFiles()));
    const result = await deployAndWait(
      conn,
      await makeZip({ 'package.xml': packageXml({}), 'destructiveChangesPost.xml': packageXml({ CustomField: ['Invoice__c.Status__c'] }) }),
    );
    assert.equal(result.status, 'Succeeded');
    assert.deepEqual(componentMessages(result.details?.componentSuccesses).map((m) => [m.componentType, m.fullName, m.deleted]), [['CustomField', 'Invoice__c.Status__c', true]]);
    const { files } = await retrieveAndWait(conn, [{ name: 'CustomObject', members: ['Invoice__c'] }]);
    const object = files.get('objects/Invoice__c.object')?.toString('utf8') ?? '';
    assert.doesNotMatch(object, /Status__c/);
    assert.match(object, /Amount__c/);
  });

  it('upserts the fields an object file holds and keeps the fields it omits', async () => {
    const { conn } = newOrg();
    await deployAndWait(conn, await makeZip(starterFiles()));
    const result = await deployAndWait(
      conn,
      await makeZip({ 'package.xml': packageXml({ CustomObject: ['Invoice__c'] }), 'objects/Invoice__c.object': customObject(field('Amount__c', 'Currency'), field('Due__c')) }),
    );
    const states = Object.fromEntries(componentMessages(result.details?.componentSuccesses).map((m) => [m.fullName, m.created ? 'created' : m.changed ? 'changed' : 'unchanged']));
    assert.deepEqual(states, { 'Invoice__c.Amount__c': 'changed', 'Invoice__c.Due__c': 'created', Invoice__c: 'changed' });
    const { files } = await retrieveAndWait(conn, [{ name: 'CustomObject', members: ['Invoice__c'] }]);
    assert.match(files.get('objects/Invoice__c.object')?.toString('utf8') ?? '', /Status__c/);
  });

  it('retrieves a single field as an object file holding only that field', async () => {
    const { conn } = newOrg();
    await deployAndWait(conn, await makeZip(starterFiles()));
    const { result, files } = await retrieveAndWait(conn, [{ name: 'CustomField', members: ['Invoice__c.Amount__c'] }], false);
    const object = files.get('unpackaged/objects/Invoice__c.object')?.toString('utf8') ?? '';
    assert.match(object, /Amount__c/);
    assert.doesNotMatch(object, /Status__c/);
    const props = Array.isArray(result.fileProperties) ? result.fileProperties : [result.fileProperties];
    assert.ok(props.some((p) => p.type === 'CustomField' && p.fullName === 'Invoice__c.Amount__c' && p.fileName === 'unpackaged/objects/Invoice__c.object'));
  });

  it('answers a retrieve of a missing class with a "cannot be found" message and success', async () => {
    const { conn } = newOrg();
    const { result } = await retrieveAndWait(conn, [{ name: 'ApexClass', members: ['Missing'] }]);
    assert.equal(result.success, true);
    assert.equal(result.status, 'Succeeded');
    const messages = Array.isArray(result.messages) ? result.messages : [result.messages];
    assert.deepEqual(messages.map((m) => m.problem), ["Entity of type 'ApexClass' named 'Missing' cannot be found"]);
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
    assert.deepEqual([...files.keys()].sort(), ['classes/A.cls', 'classes/A.cls-meta.xml', 'classes/B.cls', 'classes/B.cls-meta.xml', 'package.xml']);
  });

  it('accepts a package under one folder (unpackaged/package.xml)', async () => {
    const { conn } = newOrg();
    const zip = await makeZip({ 'unpackaged/package.xml': packageXml({ ApexClass: ['A'] }), 'unpackaged/classes/A.cls': apexClass('A'), 'unpackaged/classes/A.cls-meta.xml': classMeta });
    const result = await deployAndWait(conn, zip, { singlePackage: false });
    assert.equal(result.status, 'Succeeded');
    assert.deepEqual(componentMessages(result.details?.componentSuccesses).map((m) => m.fullName), ['A']);
  });

  it('fails a component named in package.xml but missing from the zip', async () => {
    const { conn } = newOrg();
    const result = await deployAndWait(conn, await makeZip({ 'package.xml': packageXml({ ApexClass: ['Ghost'] }) }));
    assert.equal(result.status, 'Failed');
    assert.match(componentMessages(result.details?.componentFailures)[0]?.problem ?? '', /An object 'Ghost' of type ApexClass was named in package.xml/);
  });

  it('fails a file in an unknown folder', async () => {
    const { conn } = newOrg();
    const result = await deployAndWait(conn, await makeZip({ 'package.xml': packageXml({}), 'widgets/W.widget': '<Widget/>' }));
    assert.equal(result.status, 'Failed');
    const failures = Array.isArray(result.details?.componentFailures) ? result.details.componentFailures : [result.details?.componentFailures];
    assert.match(failures[0]?.problem ?? '', /Unknown metadata folder 'widgets'/);
  });
});
