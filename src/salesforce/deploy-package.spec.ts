import { test, expect } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateProject } from '../../test/fixtures/generate-project.js';
import { buildDeployZip } from './deploy-package.js';
import { buildPackageXml } from './package-xml.js';
import { resolveProject } from './project-resolver.js';
import { fingerprintComponent } from './fingerprint.js';
import { metadataFilesToSource } from './metadata-to-source.js';
import { fixturePath, writeRichObjectProject } from '../../test/helpers/rich-object-project.js';
import { readZip } from '../common/zip.js';
import { sha256 } from '../common/hash.js';
import { crc32, deflateRawSync } from 'node:zlib';
import type { PackedComponent, ResolvedComponent } from './component.types.js';
import { FAST_TYPES, fastMetadataPaths } from './fast-path.js';

const sample = resolveProject(fixturePath('sample-project'));

test('a single CustomField becomes its object file holding only that field', async () => {
  const { components } = await sample;
  const field = components.find((c) => c.fullName === 'Invoice__c.Amount__c')!;
  const out = await buildDeployZip({ components: [field], apiVersion: '62.0' });
  const files = await readZip(out.zip);
  expect([...files.keys()]).toEqual(['package.xml', 'objects/Invoice__c.object']);
  const object = files.get('objects/Invoice__c.object')!.toString();
  expect(object).toMatch(/<fields>\s*<fullName>Amount__c<\/fullName>/);
  expect(object).not.toMatch(/Status__c|<label>Invoice<\/label>|validationRules|listViews/);
  expect(files.get('package.xml')!.toString()).toMatch(
    /<members>Invoice__c\.Amount__c<\/members>\s*<name>CustomField<\/name>/,
  );
  expect(files.get('package.xml')!.toString()).not.toMatch(/CustomObject/);
  expect(out.fileCount).toBe(2);
  expect(out.members).toEqual([{ type: 'CustomField', fullName: 'Invoice__c.Amount__c' }]);
});

test('a CustomObject without its children carries none of them', async () => {
  const { components } = await sample;
  const object = components.find((c) => c.type === 'CustomObject')!;
  const files = await readZip((await buildDeployZip({ components: [object], apiVersion: '62.0' })).zip);
  const xml = files.get('objects/Invoice__c.object')!.toString();
  expect(xml).toMatch(/<label>Invoice<\/label>/);
  expect(xml).not.toMatch(/<fields>|<validationRules>|<listViews>/);
});

test('the whole sample project becomes a metadata-format package', async () => {
  const { components } = await sample;
  const out = await buildDeployZip({ components, apiVersion: '62.0' });
  const files = await readZip(out.zip);
  expect([...files.keys()]).toEqual([
    'package.xml',
    'classes/InvoiceService.cls',
    'classes/InvoiceService.cls-meta.xml',
    'classes/InvoiceServiceTest.cls',
    'classes/InvoiceServiceTest.cls-meta.xml',
    'layouts/Invoice__c-Invoice Layout.layout',
    'lwc/invoiceList/invoiceList.html',
    'lwc/invoiceList/invoiceList.js',
    'lwc/invoiceList/invoiceList.js-meta.xml',
    'objects/Invoice__c.object',
    'profiles/Admin.profile',
    'staticresources/invoiceConfig.resource',
    'staticresources/invoiceConfig.resource-meta.xml',
  ]);
  expect(out.members.length).toBe(11);
  expect(files.get('package.xml')!.toString()).toMatch(/<version>62\.0<\/version>/);
});

test('a destructive-only package has an empty package.xml with a version and destructiveChangesPost.xml', async () => {
  const out = await buildDeployZip({
    components: [],
    destructive: {
      post: [
        { type: 'ApexClass', fullName: 'Gone' },
        { type: 'CustomField', fullName: 'Invoice__c.Old__c' },
      ],
    },
    apiVersion: '62.0',
  });
  const files = await readZip(out.zip);
  expect([...files.keys()]).toEqual(['package.xml', 'destructiveChangesPost.xml']);
  const pkg = files.get('package.xml')!.toString();
  expect(pkg).not.toMatch(/<types>/);
  expect(pkg).toMatch(/<version>62\.0<\/version>/);
  expect(files.get('destructiveChangesPost.xml')!.toString()).toMatch(
    /<members>Gone<\/members>\s*<name>ApexClass<\/name>/,
  );
  expect(out.members).toEqual([]);
});

test('pre-destructive changes go to destructiveChangesPre.xml', async () => {
  const out = await buildDeployZip({
    components: [],
    destructive: { pre: [{ type: 'ApexClass', fullName: 'Gone' }] },
    apiVersion: '62.0',
  });
  expect([...(await readZip(out.zip)).keys()]).toEqual(['package.xml', 'destructiveChangesPre.xml']);
});

test('the fast path and SDR produce the same zip entries', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bt-gen-'));
  await generateProject(dir, { classes: 6, objects: 2, fieldsPerObject: 3, lwc: 4, classBytes: 500 });
  const generated = await resolveProject(dir);
  const richDir = await mkdtemp(join(tmpdir(), 'bt-rich-'));
  await writeRichObjectProject(richDir);
  const rich = await resolveProject(richDir);
  const { components } = await sample;
  const field = rich.components.find((c) => c.fullName === 'Rich__c.Field005__c')!;
  const parent = rich.components.find((c) => c.fullName === 'Rich__c')!;
  for (const set of [
    generated.components,
    components,
    rich.components,
    [field],
    [parent],
    [...rich.components, ...components],
  ]) {
    const fast = await readZip((await buildDeployZip({ components: set, apiVersion: '62.0' })).zip);
    const slow = await readZip((await buildDeployZip({ components: set, apiVersion: '62.0', fast: false })).zip);
    expect([...fast.keys()]).toEqual([...slow.keys()]);
    for (const [path, content] of fast) expect(content.equals(slow.get(path)!)).toBeTruthy();
    // and per component, once converted back (by SDR alone): the same members with the same fingerprints
    const back = async (files: Map<string, Buffer>) =>
      (await metadataFilesToSource(files, { fast: false })).components.map((c) => [
        c.type,
        c.fullName,
        fingerprintComponent(c.files),
      ]);
    expect(await back(fast)).toEqual(await back(slow));
  }
  await rm(dir, { recursive: true });
  await rm(richDir, { recursive: true });
});

/** The component as `BranchesService.loadPacked` hands it over: each file's stored deflate stream, or its content. */
function packedOf(c: ResolvedComponent): PackedComponent {
  return {
    type: c.type,
    fullName: c.fullName,
    files: c.files.map((f) => ({
      path: f.path,
      sha256: sha256(f.content),
      body:
        f.content.length % 2
          ? { raw: deflateRawSync(f.content, { level: 1 }), crc: crc32(f.content), size: f.content.length }
          : f.content, // a blob kept as it is (incompressible) comes back as its content
    })),
  };
}

test('fast-type components given packed (stored deflate streams) give the same zip entries as with their contents', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bt-packed-'));
  await generateProject(dir, { classes: 6, objects: 2, fieldsPerObject: 3, lwc: 3, classBytes: 500 });
  const { components } = await resolveProject(dir);
  const [fast, rest] = [components.filter((c) => FAST_TYPES[c.type]), components.filter((c) => !FAST_TYPES[c.type])];
  expect(fast.length).toBeGreaterThan(8);
  // files of both kinds: stored deflate streams (odd lengths) and contents kept as they are (even)
  const lengths = fast.flatMap((c) => c.files.map((f) => f.content.length % 2));
  expect(lengths).toContain(0);
  expect(lengths).toContain(1);
  const plain = await buildDeployZip({ components, apiVersion: '62.0' });
  const packed = await buildDeployZip({ components: rest, packed: fast.map(packedOf), apiVersion: '62.0' });
  const [a, b] = [await readZip(plain.zip), await readZip(packed.zip)];
  expect([...b.keys()]).toEqual([...a.keys()]);
  for (const [path, content] of a) expect(b.get(path)!.equals(content)).toBe(true);
  expect(packed.members).toEqual(plain.members);
  expect(packed.fileCount).toBe(plain.fileCount);
  await rm(dir, { recursive: true });
});

test('a packed component is refused when it is not of a fast type, or also given with its contents', async () => {
  const { components } = await sample;
  const layout = components.find((c) => c.type === 'Layout')!;
  await expect(buildDeployZip({ components: [], packed: [packedOf(layout)], apiVersion: '62.0' })).rejects.toThrow(
    /Layout:Invoice__c-Invoice Layout is not of a type whose files go into a zip as stored/,
  );
  const apex = components.find((c) => c.type === 'ApexClass')!;
  await expect(buildDeployZip({ components: [apex], packed: [packedOf(apex)], apiVersion: '62.0' })).rejects.toThrow(
    /given both packed and with its contents/,
  );
});

test('a packed file and a file with its content written to one path must be the same bytes', async () => {
  const { components } = await sample;
  const apex = components.find((c) => c.type === 'ApexClass' && c.files.length === 2)!;
  const [source] = fastMetadataPaths(apex)!.filter((m) => m.metadataPath.endsWith('.cls'));
  const sameBytes = {
    type: 'ApexClass',
    fullName: 'Copy',
    files: [{ path: source!.metadataPath, content: source!.source.content }],
  };
  const pkg = await buildDeployZip({
    components: [],
    exact: [sameBytes],
    packed: [packedOf(apex)],
    apiVersion: '62.0',
  });
  expect((await readZip(pkg.zip)).get(source!.metadataPath)!.equals(source!.source.content)).toBe(true);
  const other = {
    ...sameBytes,
    files: [{ path: source!.metadataPath, content: Buffer.from('public class Other {}') }],
  };
  await expect(
    buildDeployZip({ components: [], exact: [other], packed: [packedOf(apex)], apiVersion: '62.0' }),
  ).rejects.toThrow(`Two components write different content to ${source!.metadataPath}`);
});

test('package.xml lists members sorted by type and name, escaped, without duplicates', () => {
  const xml = buildPackageXml(
    [
      { type: 'Layout', fullName: 'Account-Account & <Layout>' },
      { type: 'ApexClass', fullName: 'B' },
      { type: 'ApexClass', fullName: 'A' },
      { type: 'ApexClass', fullName: 'A' },
    ],
    '62.0',
  );
  expect(xml).toBe(
    [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<Package xmlns="http://soap.sforce.com/2006/04/metadata">',
      '    <types>',
      '        <members>A</members>',
      '        <members>B</members>',
      '        <name>ApexClass</name>',
      '    </types>',
      '    <types>',
      '        <members>Account-Account &amp; &lt;Layout&gt;</members>',
      '        <name>Layout</name>',
      '    </types>',
      '    <version>62.0</version>',
      '</Package>',
      '',
    ].join('\n'),
  );
});

test('package.xml refuses wildcards and malformed API versions', () => {
  expect(() => buildPackageXml([{ type: 'ApexClass', fullName: '*' }], '62.0')).toThrow(/wildcard/);
  expect(() => buildPackageXml([], 'v62')).toThrow(/API version/);
});
