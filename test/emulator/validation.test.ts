import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/emulator.server.js';
import { apexClass, classMeta, componentMessages, connect, deployAndWait, packageXml, retrieveAndWait } from './emulator.helper.js';
import { writeZip } from '../../src/emulator/zip-io.js';
import { makeZip } from './zip.helper.js';

const asList = <T>(value: T | T[] | undefined | null): T[] => (value == null ? [] : Array.isArray(value) ? value : [value]);

describe('deploy validation and options', () => {
  let emulator: EmulatorHandle;

  before(async () => {
    emulator = await startEmulator({ port: 0, latencyMs: 0 });
  });
  after(() => emulator.close());

  function newOrg() {
    const org = emulator.admin.createOrg();
    return { org, conn: connect(org.instanceUrl, org.accessToken) };
  }

  const goodAndBadClass = () => ({
    'package.xml': packageXml({ ApexClass: ['Good', 'Broken'] }),
    'classes/Good.cls': apexClass('Good'),
    'classes/Good.cls-meta.xml': classMeta,
    'classes/Broken.cls': 'public class Broken {\n    public void run() {\n        if (true) {\n    }\n',
    'classes/Broken.cls-meta.xml': classMeta,
  });

  it('fails a class with unbalanced braces on its line and changes nothing in the org', async () => {
    const { org, conn } = newOrg();
    const result = await deployAndWait(conn, await makeZip(goodAndBadClass()));
    assert.equal(result.status, 'Failed');
    assert.equal(result.success, false);
    const [failure] = asList(result.details?.componentFailures);
    assert.equal(failure?.componentType, 'ApexClass');
    assert.equal(failure?.fullName, 'Broken');
    assert.equal(failure?.problem, "Expecting '}' but was: '<EOF>'");
    assert.equal(failure?.lineNumber, 5);
    assert.deepEqual(emulator.admin.listComponents(org.id), []);
  });

  it('fails a meta file with malformed XML with its line and column', async () => {
    const { org, conn } = newOrg();
    const result = await deployAndWait(
      conn,
      await makeZip({
        'package.xml': packageXml({ ApexClass: ['A'] }),
        'classes/A.cls': apexClass('A'),
        'classes/A.cls-meta.xml': '<?xml version="1.0" encoding="UTF-8"?>\n<ApexClass xmlns="http://soap.sforce.com/2006/04/metadata">\n    <apiVersion>60.0</apiVersion>\n    <status>Active</statu>\n</ApexClass>\n',
      }),
    );
    assert.equal(result.status, 'Failed');
    const [failure] = asList(result.details?.componentFailures);
    assert.equal(failure?.fullName, 'A');
    assert.equal(failure?.fileName, 'classes/A.cls-meta.xml');
    assert.equal(failure?.lineNumber, 4);
    assert.equal(typeof failure?.columnNumber, 'number');
    assert.ok((failure?.columnNumber ?? 0) > 0);
    assert.deepEqual(emulator.admin.listComponents(org.id), []);
  });

  it('applies the good components and answers SucceededPartial when rollbackOnError is false', async () => {
    const { org, conn } = newOrg();
    const result = await deployAndWait(conn, await makeZip(goodAndBadClass()), { rollbackOnError: false });
    assert.equal(result.status, 'SucceededPartial');
    assert.equal(result.success, true);
    assert.equal(result.numberComponentErrors, 1);
    assert.deepEqual(emulator.admin.listComponents(org.id).map((c) => c.fullName), ['Good']);
  });

  it('validates without changing anything when checkOnly is set', async () => {
    const { org, conn } = newOrg();
    const result = await deployAndWait(
      conn,
      await makeZip({ 'package.xml': packageXml({ ApexClass: ['A'] }), 'classes/A.cls': apexClass('A'), 'classes/A.cls-meta.xml': classMeta }),
      { checkOnly: true },
    );
    assert.equal(result.status, 'Succeeded');
    assert.equal(result.checkOnly, true);
    assert.deepEqual(componentMessages(result.details?.componentSuccesses).map((m) => [m.fullName, m.created]), [['A', true]]);
    assert.deepEqual(emulator.admin.listComponents(org.id), []);
  });

  it('warns about deleting a class that does not exist and still deletes the others', async () => {
    const { org, conn } = newOrg();
    await emulator.admin.seed(org.id, { components: [{ files: { 'classes/Old.cls': apexClass('Old'), 'classes/Old.cls-meta.xml': classMeta } }] });
    const result = await deployAndWait(
      conn,
      await makeZip({ 'package.xml': packageXml({}), 'destructiveChanges.xml': packageXml({ ApexClass: ['Old', 'Ghost'] }) }),
    );
    assert.equal(result.status, 'Succeeded');
    const warnings = asList(result.details?.componentFailures);
    assert.deepEqual(warnings.map((w) => [w.componentType, w.fullName, w.problem, w.problemType]), [
      ['ApexClass', 'destructiveChanges.xml', 'No ApexClass named: Ghost found', 'Warning'],
    ]);
    assert.deepEqual(emulator.admin.listComponents(org.id), []);
  });

  it('lists components with their file properties', async () => {
    const { conn } = newOrg();
    await deployAndWait(conn, await makeZip({ 'package.xml': packageXml({ ApexClass: ['A'] }), 'classes/A.cls': apexClass('A'), 'classes/A.cls-meta.xml': classMeta }));
    const listed = asList(await conn.metadata.list([{ type: 'ApexClass' }, { type: 'CustomObject' }]));
    assert.equal(listed.length, 1);
    const [props] = listed;
    assert.equal(props?.type, 'ApexClass');
    assert.equal(props?.fullName, 'A');
    assert.equal(props?.fileName, 'classes/A.cls');
    assert.match(props?.id ?? '', /^01p\w{15}$/);
    assert.equal(props?.lastModifiedByName, 'Admin User');
    assert.ok(!Number.isNaN(Date.parse(props?.lastModifiedDate ?? '')));
  });

  it('describes the supported types with folders, suffixes and child types', async () => {
    const { conn } = newOrg();
    const describe = await conn.metadata.describe();
    const object = describe.metadataObjects.find((o) => o.xmlName === 'CustomObject');
    assert.equal(object?.directoryName, 'objects');
    assert.equal(object?.suffix, 'object');
    assert.ok(object?.childXmlNames.includes('CustomField'));
    assert.equal(describe.metadataObjects.find((o) => o.xmlName === 'ApexClass')?.metaFile, true);
  });

  it('reads a class and a field as metadata records', async () => {
    const { org, conn } = newOrg();
    await emulator.admin.seed(org.id, {
      components: [
        { files: { 'classes/A.cls': apexClass('A'), 'classes/A.cls-meta.xml': classMeta } },
        { files: { 'objects/O__c.object': '<CustomObject><label>O</label><fields><fullName>F__c</fullName><type>Text</type></fields></CustomObject>' } },
      ],
    });
    const apex = (await conn.metadata.read('ApexClass', 'A')) as unknown as Record<string, unknown>;
    assert.equal(apex.fullName, 'A');
    assert.equal(apex.status, 'Active');
    assert.equal(Buffer.from(String(apex.content), 'base64').toString('utf8'), apexClass('A'));
    const fieldRecord = (await conn.metadata.read('CustomField', 'O__c.F__c')) as unknown as Record<string, unknown>;
    assert.equal(fieldRecord.fullName, 'O__c.F__c');
    assert.equal(fieldRecord.type, 'Text');
  });

  it('refuses a deploy of more than 10,000 files with the limit error', async () => {
    const { conn } = newOrg();
    const files: Record<string, string> = { 'package.xml': packageXml({ ApexClass: ['*'] }) };
    for (let i = 0; i < 5001; i++) {
      files[`classes/C${i}.cls`] = `class C${i} {}`;
      files[`classes/C${i}.cls-meta.xml`] = classMeta;
    }
    // The emulator's own writer: archiver takes seconds for 10,001 entries.
    const result = await deployAndWait(conn, writeZip(Object.entries(files).map(([path, text]) => [path, Buffer.from(text)] as const)));
    assert.equal(result.done, true);
    assert.equal(result.status, 'Failed');
    assert.equal(result.errorStatusCode, 'INVALID_OPERATION');
    assert.equal(result.errorMessage, 'INVALID_OPERATION: Too many files in zip');
  });

  it('refuses a retrieve of more than 10,000 files with the limit error', async () => {
    const { org, conn } = newOrg();
    const files: Record<string, string> = {};
    for (let i = 0; i < 5001; i++) {
      files[`classes/C${i}.cls`] = `class C${i} {}`;
      files[`classes/C${i}.cls-meta.xml`] = classMeta;
    }
    await emulator.admin.seed(org.id, { components: [{ files }] });
    const { result } = await retrieveAndWait(conn, [{ name: 'ApexClass', members: ['*'] }]);
    assert.equal(result.status, 'Failed');
    assert.equal(result.success, false);
    assert.equal(result.errorMessage, 'LIMIT_EXCEEDED: Too many files in retrieve call, limit is: 10000');
  });
});
