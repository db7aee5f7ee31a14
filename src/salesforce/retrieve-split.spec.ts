import { test, expect } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateProject } from '../../test/fixtures/generate-project.js';
import { buildDeployZip } from './deploy-package.js';
import { fingerprintComponent } from './fingerprint.js';
import { resolveProject } from './project-resolver.js';
import { parseMissingMessages, splitRetrievedZip, stripPackageFolder } from './retrieve-split.js';
import { fixturePath, writeRichObjectProject } from '../../test/helpers/rich-object-project.js';
import { readZip, writeZip } from '../common/zip.js';

const sample = resolveProject(fixturePath('sample-project'));

/** What an org returns for a retrieve without singlePackage: everything under unpackaged/. */
async function asUnpackaged(zip: Buffer): Promise<Buffer> {
  const files = await readZip(zip);
  return writeZip([...files].map(([path, content]) => ({ path: `unpackaged/${path}`, content })));
}

test('a requested object yields only its own file, and a requested field only that field', async () => {
  const { components } = await sample;
  const retrieved = await asUnpackaged((await buildDeployZip({ components, apiVersion: '62.0' })).zip);
  const out = await splitRetrievedZip(retrieved, [
    { type: 'CustomObject', fullName: 'Invoice__c' },
    { type: 'CustomField', fullName: 'Invoice__c.Status__c' },
  ]);
  expect(out.components.map((c) => [c.type, c.fullName, c.files.map((f) => f.path)])).toEqual([
    [
      'CustomField',
      'Invoice__c.Status__c',
      ['force-app/main/default/objects/Invoice__c/fields/Status__c.field-meta.xml'],
    ],
    ['CustomObject', 'Invoice__c', ['force-app/main/default/objects/Invoice__c/Invoice__c.object-meta.xml']],
  ]);
  expect(out.missing).toEqual([]);
  const original = components.find((c) => c.fullName === 'Invoice__c.Status__c')!;
  expect(fingerprintComponent(out.components[0]!.files)).toBe(fingerprintComponent(original.files));
});

test('requested members absent from the zip are reported missing', async () => {
  const { components } = await sample;
  const field = components.find((c) => c.fullName === 'Invoice__c.Amount__c')!;
  const zip = (await buildDeployZip({ components: [field], apiVersion: '62.0' })).zip;
  const out = await splitRetrievedZip(zip, [
    { type: 'CustomField', fullName: 'Invoice__c.Amount__c' },
    { type: 'ApexClass', fullName: 'Nope' },
    { type: 'CustomObject', fullName: 'Invoice__c' },
  ]);
  expect(out.components.map((c) => c.fullName)).toEqual(['Invoice__c.Amount__c']);
  expect(out.missing).toEqual([
    { type: 'ApexClass', fullName: 'Nope' },
    { type: 'CustomObject', fullName: 'Invoice__c' },
  ]);
});

test('every component survives deploy zip → retrieve split with the same fingerprint', async () => {
  const { components } = await sample;
  const zip = (await buildDeployZip({ components, apiVersion: '62.0' })).zip;
  const out = await splitRetrievedZip(zip, components);
  expect(out.missing).toEqual([]);
  expect(out.components.map((c) => [c.type, c.fullName, fingerprintComponent(c.files)])).toEqual(
    components.map((c) => [c.type, c.fullName, fingerprintComponent(c.files)]),
  );
});

test('the fast path and SDR split a retrieved zip identically', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bt-gen-'));
  await generateProject(dir, { classes: 5, objects: 2, fieldsPerObject: 3, lwc: 3, classBytes: 400 });
  const project = await resolveProject(dir);
  const richDir = await mkdtemp(join(tmpdir(), 'bt-rich-'));
  await writeRichObjectProject(richDir);
  const rich = await resolveProject(richDir);
  const { components } = await sample;
  const all = [...project.components, ...components, ...rich.components];
  const zip = (await buildDeployZip({ components: all, apiVersion: '62.0', fast: false })).zip;
  const fast = await splitRetrievedZip(zip, all);
  const slow = await splitRetrievedZip(zip, all, { fast: false });
  const view = (cs: typeof all) =>
    cs.map((c) => [c.type, c.fullName, c.parent, c.files.map((f) => [f.path, f.content.toString('base64')])]);
  expect(view(fast.components)).toEqual(view(slow.components));
  expect(fast.components.length).toBe(all.length);
  const fingerprints = (cs: typeof all) =>
    new Map(cs.map((c) => [`${c.type}:${c.fullName}`, fingerprintComponent(c.files)]));
  expect(fingerprints(fast.components)).toEqual(fingerprints(slow.components));
  expect(fingerprints(fast.components)).toEqual(fingerprints(all));
  // and back again: metadata → source → metadata → source, fast path all the way
  const again = await splitRetrievedZip(
    (await buildDeployZip({ components: fast.components, apiVersion: '62.0' })).zip,
    all,
  );
  expect(fingerprints(again.components)).toEqual(fingerprints(slow.components));
  await rm(dir, { recursive: true });
  await rm(richDir, { recursive: true });
});

test('the package folder is stripped only when it holds package.xml or is unpackaged/', () => {
  const b = Buffer.from('x');
  expect([
    ...stripPackageFolder(
      new Map([
        ['unpackaged/package.xml', b],
        ['unpackaged/classes/A.cls', b],
      ]),
    ).keys(),
  ]).toEqual(['package.xml', 'classes/A.cls']);
  expect([...stripPackageFolder(new Map([['classes/A.cls', b]])).keys()]).toEqual(['classes/A.cls']);
  expect([
    ...stripPackageFolder(
      new Map([
        ['package.xml', b],
        ['classes/A.cls', b],
      ]),
    ).keys(),
  ]).toEqual(['package.xml', 'classes/A.cls']);
});

test('"cannot be found" messages name missing members; other messages are ignored', () => {
  expect(
    parseMissingMessages([
      { fileName: 'unpackaged/package.xml', problem: "Entity of type 'ApexClass' named 'Foo' cannot be found" },
      { fileName: 'package.xml', problem: "Entity of type 'CustomField' named 'Invoice__c.Gone__c' cannot be found" },
      "Entity of type 'ApexClass' named 'Foo' cannot be found",
      { fileName: 'destructiveChanges.xml', problem: 'No ApexClass named: Bar found' },
      { fileName: 'x', problem: 'Some other warning' },
    ]),
  ).toEqual([
    { type: 'ApexClass', fullName: 'Foo' },
    { type: 'CustomField', fullName: 'Invoice__c.Gone__c' },
    { type: 'ApexClass', fullName: 'Bar' },
  ]);
});
