// An upload is resolved from the bytes in memory: only its folders, manifests and .forceignore files are written to
// disk. It must resolve exactly as the same project fully extracted does, .forceignore included.
import { describe, it, expect, afterAll } from '@jest/globals';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFromDisk, resolveProject } from '../../src/salesforce/project-resolver.js';
import { DEFAULT_UPLOAD_LIMITS, extractUpload } from '../../src/uploads/zip-intake.js';
import { zipOf } from '../helpers/deploy-flow.js';

const SRC = 'force-app/main/default';
const META = (type: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<${type} xmlns="http://soap.sforce.com/2006/04/metadata">\n    <apiVersion>60.0</apiVersion>\n</${type}>\n`;
const FIELD = `<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Region__c</fullName>
    <label>Region</label>
    <length>80</length>
    <type>Text</type>
</CustomField>
`;

const base = mkdtemp(join(tmpdir(), 'bt-upload-memory-'));
afterAll(async () => rm(await base, { recursive: true, force: true }));

/** Every file under dir, relative, sorted. */
async function filesOnDisk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

/** The project resolved twice: fully extracted, and with only what `readFromDisk` names written. */
async function bothWays(zip: Buffer, name: string) {
  const full = await extractUpload(zip, join(await base, `${name}-full`), DEFAULT_UPLOAD_LIMITS);
  const lean = await extractUpload(zip, join(await base, `${name}-lean`), DEFAULT_UPLOAD_LIMITS, {
    onDisk: readFromDisk,
  });
  const shape = (p: Awaited<ReturnType<typeof resolveProject>>) => ({
    ...p,
    components: p.components.map((c) => ({ ...c, files: c.files.map((f) => `${f.path} ${f.content.toString()}`) })),
  });
  return {
    full: shape(await resolveProject(full.dir, full.contents)),
    lean: shape(await resolveProject(lean.dir, lean.contents)),
    onDisk: await filesOnDisk(lean.dir),
    extracted: lean.files,
  };
}

describe('an upload resolved from memory', () => {
  it('resolves an SFDX project as fully extracted, honouring .forceignore, with only the manifests on disk', async () => {
    const zip = await zipOf({
      'sfdx-project.json': '{"packageDirectories":[{"path":"force-app","default":true}],"sourceApiVersion":"60.0"}',
      '.forceignore': '**/Ignored*\n**/notes.txt\n',
      [`${SRC}/classes/Kept.cls`]: 'public class Kept {}',
      [`${SRC}/classes/Kept.cls-meta.xml`]: META('ApexClass'),
      [`${SRC}/classes/Ignored.cls`]: 'public class Ignored {}',
      [`${SRC}/classes/Ignored.cls-meta.xml`]: META('ApexClass'),
      [`${SRC}/classes/notes.txt`]: 'not metadata',
      [`${SRC}/objects/Account/Account.object-meta.xml`]: META('CustomObject'),
      [`${SRC}/objects/Account/fields/Region__c.field-meta.xml`]: FIELD,
      [`${SRC}/lwc/hello/hello.js`]: 'export default class Hello {}',
      [`${SRC}/lwc/hello/hello.js-meta.xml`]: META('LightningComponentBundle'),
    });
    const { full, lean, onDisk, extracted } = await bothWays(zip, 'source');
    expect(lean).toEqual(full);
    expect(lean.components.map((c) => `${c.type}:${c.fullName}`)).toEqual([
      'ApexClass:Kept',
      'CustomField:Account.Region__c',
      'CustomObject:Account',
      'LightningComponentBundle:hello',
    ]);
    expect(onDisk).toEqual(['.forceignore', 'sfdx-project.json']);
    expect(extracted).toHaveLength(11);
    expect((await stat(join(await base, 'source-lean', SRC, 'lwc/hello'))).isDirectory()).toBe(true);
  });

  it('reports the same unclaimed file, and resolves a metadata-format package the same way', async () => {
    const stray = await zipOf({
      'sfdx-project.json': '{"packageDirectories":[{"path":"force-app","default":true}],"sourceApiVersion":"60.0"}',
      [`${SRC}/classes/A.cls`]: 'public class A {}',
      [`${SRC}/classes/A.cls-meta.xml`]: META('ApexClass'),
      [`${SRC}/classes/stray.bin`]: 'x',
    });
    const full = await extractUpload(stray, join(await base, 'stray-full'));
    const lean = await extractUpload(stray, join(await base, 'stray-lean'), DEFAULT_UPLOAD_LIMITS, {
      onDisk: readFromDisk,
    });
    const message = async (p: Promise<unknown>) => ((await p.catch((e: unknown) => e)) as Error).message;
    const refused = await message(resolveProject(lean.dir, lean.contents));
    expect(refused).toMatch(/stray\.bin/);
    expect(refused).toBe(await message(resolveProject(full.dir, full.contents)));

    const mdapi = await zipOf({
      'unpackaged/package.xml': `<?xml version="1.0" encoding="UTF-8"?>\n<Package xmlns="http://soap.sforce.com/2006/04/metadata"><types><members>B</members><name>ApexClass</name></types><version>60.0</version></Package>\n`,
      'unpackaged/classes/B.cls': 'public class B {}',
      'unpackaged/classes/B.cls-meta.xml': META('ApexClass'),
    });
    const { full: f, lean: l, onDisk } = await bothWays(mdapi, 'mdapi');
    expect(l).toEqual(f);
    expect(l.components.map((c) => `${c.type}:${c.fullName}`)).toEqual(['ApexClass:B']);
    expect(onDisk).toEqual(['package.xml']); // its wrapping folder is stripped
  });
});
