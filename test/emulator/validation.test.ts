import { describe, it, expect } from '@jest/globals';
import {
  apexClass,
  classMeta,
  componentMessages,
  deployAndWait,
  deployDeletion,
  emulatorSuite,
  packageXml,
  retrieveAndWait,
} from './emulator.helper.js';
import { writeZip } from '../../src/emulator/zip-io.js';
import { makeZip } from './zip.helper.js';

const asList = <T>(value: T | T[] | undefined | null): T[] =>
  value == null ? [] : Array.isArray(value) ? value : [value];

describe('deploy validation and options', () => {
  const { emulator, newOrg } = emulatorSuite({ latencyMs: 0 });

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
    expect(result.status).toBe('Failed');
    expect(result.success).toBe(false);
    const [failure] = asList(result.details?.componentFailures);
    expect(failure?.componentType).toBe('ApexClass');
    expect(failure?.fullName).toBe('Broken');
    expect(failure?.problem).toBe("Expecting '}' but was: '<EOF>'");
    expect(failure?.lineNumber).toBe(5);
    expect(emulator().admin.listComponents(org.id)).toEqual([]);
  });

  it('fails a meta file with malformed XML with its line and column', async () => {
    const { org, conn } = newOrg();
    const result = await deployAndWait(
      conn,
      await makeZip({
        'package.xml': packageXml({ ApexClass: ['A'] }),
        'classes/A.cls': apexClass('A'),
        'classes/A.cls-meta.xml':
          '<?xml version="1.0" encoding="UTF-8"?>\n<ApexClass xmlns="http://soap.sforce.com/2006/04/metadata">\n    <apiVersion>60.0</apiVersion>\n    <status>Active</statu>\n</ApexClass>\n',
      }),
    );
    expect(result.status).toBe('Failed');
    const [failure] = asList(result.details?.componentFailures);
    expect(failure?.fullName).toBe('A');
    expect(failure?.fileName).toBe('classes/A.cls-meta.xml');
    expect(failure?.lineNumber).toBe(4);
    expect(typeof failure?.columnNumber).toBe('number');
    expect((failure?.columnNumber ?? 0) > 0).toBeTruthy();
    expect(emulator().admin.listComponents(org.id)).toEqual([]);
  });

  it('applies the good components and answers SucceededPartial when rollbackOnError is false', async () => {
    const { org, conn } = newOrg();
    const result = await deployAndWait(conn, await makeZip(goodAndBadClass()), { rollbackOnError: false });
    expect(result.status).toBe('SucceededPartial');
    expect(result.success).toBe(true);
    expect(result.numberComponentErrors).toBe(1);
    expect(
      emulator()
        .admin.listComponents(org.id)
        .map((c) => c.fullName),
    ).toEqual(['Good']);
  });

  it('validates without changing anything when checkOnly is set', async () => {
    const { org, conn } = newOrg();
    const result = await deployAndWait(
      conn,
      await makeZip({
        'package.xml': packageXml({ ApexClass: ['A'] }),
        'classes/A.cls': apexClass('A'),
        'classes/A.cls-meta.xml': classMeta,
      }),
      { checkOnly: true },
    );
    expect(result.status).toBe('Succeeded');
    expect(result.checkOnly).toBe(true);
    expect(componentMessages(result.details?.componentSuccesses).map((m) => [m.fullName, m.created])).toEqual([
      ['A', true],
    ]);
    expect(emulator().admin.listComponents(org.id)).toEqual([]);
  });

  it('warns about deleting a class that does not exist and still deletes the others', async () => {
    const { org, conn } = newOrg();
    await emulator().admin.seed(org.id, {
      components: [{ files: { 'classes/Old.cls': apexClass('Old'), 'classes/Old.cls-meta.xml': classMeta } }],
    });
    const result = await deployDeletion(conn, { ApexClass: ['Old', 'Ghost'] });
    expect(result.status).toBe('Succeeded');
    const warnings = asList(result.details?.componentFailures);
    expect(warnings.map((w) => [w.componentType, w.fullName, w.problem, w.problemType])).toEqual([
      ['ApexClass', 'destructiveChanges.xml', 'No ApexClass named: Ghost found', 'Warning'],
    ]);
    expect(emulator().admin.listComponents(org.id)).toEqual([]);
  });

  it('lists components with their file properties', async () => {
    const { conn } = newOrg();
    await deployAndWait(
      conn,
      await makeZip({
        'package.xml': packageXml({ ApexClass: ['A'] }),
        'classes/A.cls': apexClass('A'),
        'classes/A.cls-meta.xml': classMeta,
      }),
    );
    const listed = asList(await conn.metadata.list([{ type: 'ApexClass' }, { type: 'CustomObject' }]));
    expect(listed.length).toBe(1);
    const [props] = listed;
    expect(props?.type).toBe('ApexClass');
    expect(props?.fullName).toBe('A');
    expect(props?.fileName).toBe('classes/A.cls');
    expect(props?.id ?? '').toMatch(/^01p\w{15}$/);
    expect(props?.lastModifiedByName).toBe('Admin User');
    expect(Number.isNaN(Date.parse(props?.lastModifiedDate ?? ''))).toBeFalsy();
  });

  it('describes the supported types with folders, suffixes and child types', async () => {
    const { conn } = newOrg();
    const describe = await conn.metadata.describe();
    const object = describe.metadataObjects.find((o) => o.xmlName === 'CustomObject');
    expect(object?.directoryName).toBe('objects');
    expect(object?.suffix).toBe('object');
    expect(object?.childXmlNames).toContain('CustomField');
    expect(describe.metadataObjects.find((o) => o.xmlName === 'ApexClass')?.metaFile).toBe(true);
  });

  it('reads a class and a field as metadata records', async () => {
    const { org, conn } = newOrg();
    await emulator().admin.seed(org.id, {
      components: [
        { files: { 'classes/A.cls': apexClass('A'), 'classes/A.cls-meta.xml': classMeta } },
        {
          files: {
            'objects/O__c.object':
              '<CustomObject><label>O</label><fields><fullName>F__c</fullName><type>Text</type></fields></CustomObject>',
          },
        },
      ],
    });
    const apex = (await conn.metadata.read('ApexClass', 'A')) as unknown as Record<string, unknown>;
    expect(apex.fullName).toBe('A');
    expect(apex.status).toBe('Active');
    expect(Buffer.from(String(apex.content), 'base64').toString('utf8')).toBe(apexClass('A'));
    const fieldRecord = (await conn.metadata.read('CustomField', 'O__c.F__c')) as unknown as Record<string, unknown>;
    expect(fieldRecord.fullName).toBe('O__c.F__c');
    expect(fieldRecord.type).toBe('Text');
  });

  it('refuses a deploy of more than 10,000 files with the limit error', async () => {
    const { conn } = newOrg();
    const files: Record<string, string> = { 'package.xml': packageXml({ ApexClass: ['*'] }) };
    for (let i = 0; i < 5001; i++) {
      files[`classes/C${i}.cls`] = `class C${i} {}`;
      files[`classes/C${i}.cls-meta.xml`] = classMeta;
    }
    // The emulator's own writer: archiver takes seconds for 10,001 entries.
    const result = await deployAndWait(
      conn,
      writeZip(Object.entries(files).map(([path, text]) => [path, Buffer.from(text)] as const)),
    );
    expect(result.done).toBe(true);
    expect(result.status).toBe('Failed');
    expect(result.errorStatusCode).toBe('INVALID_OPERATION');
    expect(result.errorMessage).toBe('INVALID_OPERATION: Too many files in zip');
  });

  it('refuses a retrieve of more than 10,000 files with the limit error', async () => {
    const { org, conn } = newOrg();
    const files: Record<string, string> = {};
    for (let i = 0; i < 5001; i++) {
      files[`classes/C${i}.cls`] = `class C${i} {}`;
      files[`classes/C${i}.cls-meta.xml`] = classMeta;
    }
    await emulator().admin.seed(org.id, { components: [{ files }] });
    const { result } = await retrieveAndWait(conn, [{ name: 'ApexClass', members: ['*'] }]);
    expect(result.status).toBe('Failed');
    expect(result.success).toBe(false);
    expect(result.errorMessage).toBe('LIMIT_EXCEEDED: Too many files in retrieve call, limit is: 10000');
  });
});
