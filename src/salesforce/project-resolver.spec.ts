import { test, expect } from '@jest/globals';
import { rejectionOf } from '../../test/helpers/thrown.js';
import { cp, mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fingerprintComponent } from './fingerprint.js';
import { MalformedXmlError, ProjectFormatError, UnclaimedFilesError } from './project.errors.js';
import { filesIn, filesUnder, readPackageDirectories, resolveProject } from './project-resolver.js';
import { readFolderFiles } from './folder-zip.js';
import { fixturePath } from '../../test/helpers/rich-object-project.js';

const D = 'force-app/main/default';

async function copyFixture(name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bt-resolve-'));
  await cp(fixturePath(name), dir, { recursive: true });
  return dir;
}

test('resolving the sample project lists every component, with decomposed children as their own components', async () => {
  const project = await resolveProject(fixturePath('sample-project'));
  expect(project.format).toBe('source');
  expect(project.apiVersion).toBe('62.0');
  expect(
    project.components.map(
      (c) => `${c.type}:${c.fullName}${c.parent ? ` < ${c.parent.type}:${c.parent.fullName}` : ''}`,
    ),
  ).toEqual([
    'ApexClass:InvoiceService',
    'ApexClass:InvoiceServiceTest',
    'CustomField:Invoice__c.Amount__c < CustomObject:Invoice__c',
    'CustomField:Invoice__c.Status__c < CustomObject:Invoice__c',
    'CustomObject:Invoice__c',
    'Layout:Invoice__c-Invoice Layout',
    'LightningComponentBundle:invoiceList',
    'ListView:Invoice__c.All < CustomObject:Invoice__c',
    'Profile:Admin',
    'StaticResource:invoiceConfig',
    'ValidationRule:Invoice__c.Amount_Must_Be_Positive < CustomObject:Invoice__c',
  ]);
});

test('a parent owns only its own file and a bundle owns all its files', async () => {
  const { components } = await resolveProject(fixturePath('sample-project'));
  const object = components.find((c) => c.type === 'CustomObject')!;
  expect(object.files.map((f) => f.path)).toEqual([`${D}/objects/Invoice__c/Invoice__c.object-meta.xml`]);
  const lwc = components.find((c) => c.type === 'LightningComponentBundle')!;
  expect(lwc.files.map((f) => f.path)).toEqual([
    `${D}/lwc/invoiceList/invoiceList.html`,
    `${D}/lwc/invoiceList/invoiceList.js`,
    `${D}/lwc/invoiceList/invoiceList.js-meta.xml`,
  ]);
  const cls = components.find((c) => c.fullName === 'InvoiceService')!;
  expect(cls.files[0]!.content.toString()).toMatch(/class InvoiceService/);
});

test('a metadata-format package resolves to the same components and files as the source project', async () => {
  const source = await resolveProject(fixturePath('sample-project'));
  const metadata = await resolveProject(fixturePath('sample-mdapi'));
  expect(metadata.format).toBe('metadata');
  expect(metadata.apiVersion).toBe('62.0');
  const summary = (cs: typeof source.components) =>
    cs.map((c) => [c.type, c.fullName, c.files.map((f) => f.path), fingerprintComponent(c.files)]);
  expect(summary(metadata.components)).toEqual(summary(source.components));
});

test('a metadata-format package inside one folder (unpackaged/) is found', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bt-resolve-'));
  await cp(fixturePath('sample-mdapi'), join(dir, 'unpackaged'), { recursive: true });
  const project = await resolveProject(dir);
  expect(project.format).toBe('metadata');
  expect(project.components.length).toBe(11);
  await rm(dir, { recursive: true });
});

test('files no metadata type claims are reported, ignorable files are not', async () => {
  const dir = await copyFixture('sample-project');
  await writeFile(join(dir, D, 'classes', 'notes.txt'), 'todo');
  await mkdir(join(dir, D, 'stuff'));
  await writeFile(join(dir, D, 'stuff', 'data.csv'), 'a,b');
  await writeFile(join(dir, D, 'classes', 'README.md'), '# docs');
  await mkdir(join(dir, D, 'lwc', 'invoiceList', '__tests__'));
  await writeFile(join(dir, D, 'lwc', 'invoiceList', '__tests__', 'invoiceList.test.js'), 'test()');
  await writeFile(join(dir, 'package.json'), '{}');
  const err = await rejectionOf(resolveProject(dir));
  expect(err).toBeInstanceOf(UnclaimedFilesError);
  expect(err.status).toBe(400);
  expect(err.files).toEqual([`${D}/classes/notes.txt`, `${D}/stuff/data.csv`]);
  await rm(dir, { recursive: true });
});

test('malformed XML is a typed error naming the file, not a crash', async () => {
  const dir = await copyFixture('sample-project');
  await writeFile(
    join(dir, D, 'objects', 'Invoice__c', 'fields', 'Amount__c.field-meta.xml'),
    '<?xml version="1.0"?>\n<CustomField><label>Amount</CustomField>',
  );
  const err = await rejectionOf(resolveProject(dir));
  expect(err).toBeInstanceOf(MalformedXmlError);
  expect(err.file).toBe(`${D}/objects/Invoice__c/fields/Amount__c.field-meta.xml`);
  expect(err.status).toBe(400);
  await rm(dir, { recursive: true });
});

test('malformed XML in a metadata-format package is named too', async () => {
  const dir = await copyFixture('sample-mdapi');
  await writeFile(join(dir, 'objects', 'Invoice__c.object'), '<?xml version="1.0"?><CustomObject><fields>');
  const err = await rejectionOf(resolveProject(dir));
  expect(err).toBeInstanceOf(MalformedXmlError);
  expect(err.file).toBe('objects/Invoice__c.object');
  await rm(dir, { recursive: true });
});

test('an upload with neither sfdx-project.json nor package.xml is refused with a hint', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bt-resolve-'));
  await mkdir(join(dir, 'classes'));
  await writeFile(join(dir, 'classes', 'A.cls'), 'public class A {}');
  const resolving = resolveProject(dir);
  await expect(resolving).rejects.toBeInstanceOf(ProjectFormatError);
  await expect(resolving).rejects.toThrow(/sfdx-project\.json/);
  await rm(dir, { recursive: true });
});

test('package directories must stay inside the project', () => {
  expect(() => readPackageDirectories('{"packageDirectories":[{"path":"../outside"}]}')).toThrow(ProjectFormatError);
  expect(() => readPackageDirectories('{"packageDirectories":[{"path":"/etc"}]}')).toThrow(ProjectFormatError);
  expect(() => readPackageDirectories('{not json')).toThrow(ProjectFormatError);
  expect(
    readPackageDirectories(
      '{"packageDirectories":[{"path":"./force-app/"},{"path":"other"}],"sourceApiVersion":"61.0"}',
    ),
  ).toEqual({
    packageDirs: ['force-app', 'other'],
    apiVersion: '61.0',
  });
});

test('the same component defined in two package directories is refused', async () => {
  const dir = await copyFixture('sample-project');
  await writeFile(
    join(dir, 'sfdx-project.json'),
    JSON.stringify({ packageDirectories: [{ path: 'force-app' }, { path: 'extra' }] }),
  );
  await mkdir(join(dir, 'extra', 'classes'), { recursive: true });
  await cp(join(dir, D, 'classes', 'InvoiceService.cls'), join(dir, 'extra', 'classes', 'InvoiceService.cls'));
  await cp(
    join(dir, D, 'classes', 'InvoiceService.cls-meta.xml'),
    join(dir, 'extra', 'classes', 'InvoiceService.cls-meta.xml'),
  );
  const resolving = resolveProject(dir);
  await expect(resolving).rejects.toBeInstanceOf(ProjectFormatError);
  await expect(resolving).rejects.toThrow(/ApexClass:InvoiceService is defined twice/);
  await rm(dir, { recursive: true });
});

test('children Salesforce cannot address alone (CustomFieldTranslation) stay files of their parent', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bt-resolve-'));
  try {
    const folder = join(dir, D, 'objectTranslations', 'Bike__c-es');
    await mkdir(folder, { recursive: true });
    await writeFile(join(dir, 'sfdx-project.json'), JSON.stringify({ packageDirectories: [{ path: 'force-app' }] }));
    const ns = 'http://soap.sforce.com/2006/04/metadata';
    const xml = (root: string, body: string) =>
      `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${ns}">${body}</${root}>\n`;
    const objectXml = xml('CustomObjectTranslation', '<gender>Feminine</gender>');
    const fieldXml = xml('CustomFieldTranslation', '<label>Precio</label><name>Price__c</name>');
    await writeFile(join(folder, 'Bike__c-es.objectTranslation-meta.xml'), objectXml);
    await writeFile(join(folder, 'Price__c.fieldTranslation-meta.xml'), fieldXml);
    const { components } = await resolveProject(dir);
    expect(components.map((c) => [`${c.type}:${c.fullName}`, c.files.map((f) => f.path)])).toEqual([
      [
        'CustomObjectTranslation:Bike__c-es',
        [
          `${D}/objectTranslations/Bike__c-es/Bike__c-es.objectTranslation-meta.xml`,
          `${D}/objectTranslations/Bike__c-es/Price__c.fieldTranslation-meta.xml`,
        ],
      ],
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('files handed over (as an extraction holds them) resolve exactly as the same files read from disk', async () => {
  const dir = await copyFixture('sample-project');
  try {
    // Two package directories, one nested in the other, and a file outside both that must stay out.
    await writeFile(
      join(dir, 'sfdx-project.json'),
      JSON.stringify({ packageDirectories: [{ path: 'force-app' }, { path: './force-app/main/' }, { path: 'extra' }] }),
    );
    await mkdir(join(dir, 'extra', 'classes'), { recursive: true });
    await cp(join(dir, D, 'classes', 'InvoiceService.cls'), join(dir, 'extra', 'classes', 'Other.cls'));
    await cp(
      join(dir, D, 'classes', 'InvoiceService.cls-meta.xml'),
      join(dir, 'extra', 'classes', 'Other.cls-meta.xml'),
    );
    await writeFile(join(dir, 'outside.txt'), 'not in a package directory');
    const summary = (p: Awaited<ReturnType<typeof resolveProject>>) =>
      p.components.map((c) => [c.type, c.fullName, c.parent, c.files.map((f) => [f.path, f.content.toString('hex')])]);
    const fromDisk = await resolveProject(dir);
    const handedOver = await resolveProject(dir, await readFolderFiles(dir));
    expect(handedOver.format).toBe('source');
    expect(summary(handedOver)).toEqual(summary(fromDisk));
    expect(fromDisk.components.some((c) => c.fullName === 'Other')).toBe(true);
  } finally {
    await rm(dir, { recursive: true });
  }
});

test('a metadata-format package in one folder resolves from handed-over files as from disk', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bt-resolve-'));
  try {
    await cp(fixturePath('sample-mdapi'), join(dir, 'unpackaged'), { recursive: true });
    const summary = (p: Awaited<ReturnType<typeof resolveProject>>) =>
      p.components.map((c) => [c.type, c.fullName, c.files.map((f) => [f.path, f.content.toString('hex')])]);
    const fromDisk = await resolveProject(dir);
    const handedOver = await resolveProject(dir, await readFolderFiles(dir));
    expect(handedOver.format).toBe('metadata');
    expect(summary(handedOver)).toEqual(summary(fromDisk));
  } finally {
    await rm(dir, { recursive: true });
  }
});

test('handed-over files are what the components hold: the disk is not read again', async () => {
  const files = await readFolderFiles(fixturePath('sample-project'));
  const cls = `${D}/classes/InvoiceService.cls`;
  files.set(cls, Buffer.from('public class InvoiceService { /* as extracted */ }'));
  const { components } = await resolveProject(fixturePath('sample-project'), files);
  const own = components.find((c) => c.fullName === 'InvoiceService')!.files.find((f) => f.path === cls)!;
  expect(own.content.toString()).toBe('public class InvoiceService { /* as extracted */ }');
});

test('filesIn keeps the files inside any of the folders, sorted; filesUnder re-keys them relative to one', () => {
  const b = (s: string) => Buffer.from(s);
  const files = new Map([
    ['b/x.cls', b('1')],
    ['a/y.cls', b('2')],
    ['ab/z.cls', b('3')],
    ['a/sub/w.cls', b('4')],
    ['root.txt', b('5')],
  ]);
  expect([...filesIn(files, ['a', 'b']).keys()]).toEqual(['a/sub/w.cls', 'a/y.cls', 'b/x.cls']);
  expect([...filesIn(files, ['']).keys()]).toEqual(['a/sub/w.cls', 'a/y.cls', 'ab/z.cls', 'b/x.cls', 'root.txt']);
  expect([...filesUnder(files, 'a')].map(([p, c]) => [p, c.toString()])).toEqual([
    ['sub/w.cls', '4'],
    ['y.cls', '2'],
  ]);
  expect(filesUnder(files, '').size).toBe(5);
});
