import { test, expect } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateProject } from '../../test/fixtures/generate-project.js';
import { compareMembers, memberKey, type ResolvedComponent } from './component.types.js';
import {
  composeObjectComponents,
  decomposeObjectFile,
  OBJECT_CHILD_TYPES,
  splitObjectMetadataFiles,
} from './custom-object.js';
import { buildDeployZip } from './deploy-package.js';
import { DEFAULT_SOURCE_ROOT } from './fast-path.js';
import { fingerprintComponent } from './fingerprint.js';
import { metadataFilesToSource } from './metadata-to-source.js';
import { resolveProject } from './project-resolver.js';
import { splitRetrievedZip } from './retrieve-split.js';
import { fixturePath, writeRichObjectProject } from '../../test/helpers/rich-object-project.js';
import { readZip, writeZip } from '../common/zip.js';

const sample = resolveProject(fixturePath('sample-project')).then((p) => p.components);

const rich = (async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bt-rich-'));
  try {
    const count = await writeRichObjectProject(dir);
    const project = await resolveProject(dir);
    expect(project.components.length).toBe(count);
    return project.components;
  } finally {
    await rm(dir, { recursive: true });
  }
})();

const empty = (async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bt-empty-'));
  try {
    await generateProject(dir, { classes: 0, objects: 2, fieldsPerObject: 0, lwc: 0 });
    return (await resolveProject(dir)).components;
  } finally {
    await rm(dir, { recursive: true });
  }
})();

const NS = 'http://soap.sforce.com/2006/04/metadata';
const byName = (cs: ResolvedComponent[], ...names: string[]): ResolvedComponent[] =>
  names.map((n) => cs.find((c) => c.fullName === n)!);
const fingerprints = (cs: ResolvedComponent[]) =>
  cs.map((c) => [c.type, c.fullName, c.parent?.fullName, fingerprintComponent(c.files)]);
const bytes = (cs: ResolvedComponent[]) =>
  cs.map((c) => [memberKey(c), c.files.map((f) => [f.path, f.content.toString('base64')])]);

async function bothZips(components: ResolvedComponent[]): Promise<[Map<string, Buffer>, Map<string, Buffer>]> {
  const fast = await readZip((await buildDeployZip({ components, apiVersion: '62.0' })).zip);
  const slow = await readZip((await buildDeployZip({ components, apiVersion: '62.0', fast: false })).zip);
  return [fast, slow];
}

test("every child type of CustomObject in SDR's registry is handled", () => {
  expect(OBJECT_CHILD_TYPES.map((t) => t.name).sort()).toEqual([
    'BusinessProcess',
    'CompactLayout',
    'CustomField',
    'FieldSet',
    'Index',
    'ListView',
    'RecordType',
    'SharingReason',
    'ValidationRule',
    'WebLink',
  ]);
  expect(OBJECT_CHILD_TYPES.find((t) => t.name === 'CustomField')).toEqual({
    name: 'CustomField',
    directoryName: 'fields',
    suffix: 'field',
    xmlElement: 'fields',
  });
});

test('source → metadata: the fast path writes the same object files as SDR, for whole objects and any subset', async () => {
  const [richCs, sampleCs, emptyCs] = [await rich, await sample, await empty];
  const subsets: [string, ResolvedComponent[]][] = [
    ['rich object with every child type', richCs],
    ['sample project', sampleCs],
    ['objects without children', emptyCs],
    ['a child alone', byName(richCs, 'Rich__c.Field002__c')],
    ['a record type alone', byName(richCs, 'Rich__c.Standard')],
    ['the parent alone', byName(richCs, 'Rich__c')],
    [
      'the parent and some children',
      byName(richCs, 'Rich__c', 'Rich__c.Field007__c', 'Rich__c.Positive', 'Rich__c.All', 'Rich__c.Field001__c'),
    ],
    [
      'children of two objects without their parents',
      [...byName(richCs, 'Rich__c.Open', 'Rich__c.Idx'), ...byName(sampleCs, 'Invoice__c.Amount__c')],
    ],
    ['everything together', [...richCs, ...sampleCs, ...emptyCs]],
  ];
  for (const [label, components] of subsets) {
    const family = components.filter((c) => c.type === 'CustomObject' || c.parent?.type === 'CustomObject');
    expect(composeObjectComponents(family).rest).toEqual([]);
    const [fast, slow] = await bothZips(components);
    expect([label, ...fast.keys()]).toEqual([label, ...slow.keys()]);
    for (const [path, content] of fast) expect(content.toString()).toBe(slow.get(path)!.toString());
  }
});

test('source → metadata: a child alone gives an object file holding only it; a parent alone carries no children', async () => {
  const richCs = await rich;
  const onlyRule = (await bothZips(byName(richCs, 'Rich__c.Positive')))[0].get('objects/Rich__c.object')!.toString();
  expect(onlyRule).toBe(
    `<?xml version="1.0" encoding="UTF-8"?>\n<CustomObject xmlns="${NS}">\n    <validationRules>\n        <fullName>Positive</fullName>\n` +
      '        <active>true</active>\n        <errorConditionFormula>VALUE(Field000__c) &lt; 0</errorConditionFormula>\n' +
      '        <errorMessage>Must be &#39;positive&#39;.</errorMessage>\n    </validationRules>\n</CustomObject>\n',
  );
  const parentOnly = (await bothZips(byName(richCs, 'Rich__c')))[0].get('objects/Rich__c.object')!.toString();
  expect(parentOnly).toMatch(/<label>Rich<\/label>/);
  expect(parentOnly).not.toMatch(/<fields>|<validationRules>|<listViews>|<recordTypes>|<webLinks>/);
});

test("metadata → source: the fast path gives SDR's components, files and fingerprints, and round-trips", async () => {
  const source = [...(await rich), ...(await sample), ...(await empty)];
  const zip = (await buildDeployZip({ components: source, apiVersion: '62.0', fast: false })).zip;
  const files = await readZip(zip);
  const objects = splitObjectMetadataFiles(files, DEFAULT_SOURCE_ROOT);
  expect([...objects.rest.keys()].filter((p) => p.startsWith('objects/'))).toEqual([]); // every object file is decomposed by the fast path

  const fast = await metadataFilesToSource(files);
  const slow = await metadataFilesToSource(files, { fast: false });
  expect(bytes(fast.components)).toEqual(bytes(slow.components));
  expect(fingerprints(fast.components)).toEqual(fingerprints(slow.components));
  expect(fingerprints(fast.components)).toEqual(fingerprints([...source].sort(compareMembers)));

  // metadata → source → metadata → source, fast all the way, ends where SDR does
  const again = await metadataFilesToSource(
    await readZip((await buildDeployZip({ components: fast.components, apiVersion: '62.0' })).zip),
  );
  expect(fingerprints(again.components)).toEqual(fingerprints(slow.components));
  expect(bytes(again.components)).toEqual(bytes(slow.components));
});

test('a retrieved object with children nobody asked for yields only the requested members', async () => {
  const richCs = await rich;
  const zip = (await buildDeployZip({ components: richCs, apiVersion: '62.0' })).zip;
  const requested = byName(richCs, 'Rich__c', 'Rich__c.Field003__c', 'Rich__c.Positive', 'Rich__c.Standard');
  for (const fast of [true, false]) {
    const out = await splitRetrievedZip(zip, requested, { fast });
    expect(out.missing).toEqual([]);
    expect(out.components.map((c) => [c.type, c.fullName, c.files.map((f) => f.path)])).toEqual([
      [
        'CustomField',
        'Rich__c.Field003__c',
        ['force-app/main/default/objects/Rich__c/fields/Field003__c.field-meta.xml'],
      ],
      ['CustomObject', 'Rich__c', ['force-app/main/default/objects/Rich__c/Rich__c.object-meta.xml']],
      [
        'RecordType',
        'Rich__c.Standard',
        ['force-app/main/default/objects/Rich__c/recordTypes/Standard.recordType-meta.xml'],
      ],
      [
        'ValidationRule',
        'Rich__c.Positive',
        ['force-app/main/default/objects/Rich__c/validationRules/Positive.validationRule-meta.xml'],
      ],
    ]);
    expect(fingerprints(out.components)).toEqual(fingerprints([...requested].sort(compareMembers)));
  }
});

test('a retrieve of only a child: the object file holding just that child does not count as the object', async () => {
  const richCs = await rich;
  const zip = (await buildDeployZip({ components: byName(richCs, 'Rich__c.All'), apiVersion: '62.0' })).zip;
  const requested = [
    { type: 'ListView', fullName: 'Rich__c.All' },
    { type: 'CustomObject', fullName: 'Rich__c' },
  ];
  const fast = await splitRetrievedZip(zip, requested);
  const slow = await splitRetrievedZip(zip, requested, { fast: false });
  expect(bytes(fast.components)).toEqual(bytes(slow.components));
  expect(fast.components.map(memberKey)).toEqual(['ListView:Rich__c.All']);
  expect(fast.missing).toEqual([{ type: 'CustomObject', fullName: 'Rich__c' }]);
});

test('an object without children round-trips alone', async () => {
  const emptyCs = await empty;
  const [fast, slow] = await bothZips(emptyCs);
  expect([...fast.keys()]).toEqual([...slow.keys()]);
  const zip = await writeZip([...fast].map(([path, content]) => ({ path, content })));
  const out = await splitRetrievedZip(zip, emptyCs);
  expect(fingerprints(out.components)).toEqual(fingerprints(emptyCs));
  expect(bytes(out.components)).toEqual(bytes((await splitRetrievedZip(zip, emptyCs, { fast: false })).components));
});

test('an object file in an unusual order: own elements stay in the parent, in order, exactly as SDR writes them', async () => {
  const odd =
    `<?xml version="1.0" encoding="UTF-8"?>\n<CustomObject xmlns="${NS}">\n` +
    '    <label>Odd</label>\n' +
    '    <fields>\n        <fullName>B__c</fullName>\n        <label>B</label>\n        <type>Text</type>\n        <length>10</length>\n    </fields>\n' +
    '    <description>between the fields</description>\n' +
    '    <!-- kept -->\n' +
    '    <fields>\n        <fullName>A__c</fullName>\n        <label>A &amp; a</label>\n        <type>Checkbox</type>\n        <defaultValue>false</defaultValue>\n    </fields>\n' +
    '    <listViews><fullName>Mine</fullName><filterScope>Mine</filterScope><label>Mine</label></listViews>\n' +
    '    <webLinks>not an element</webLinks>\n' +
    '    <pluralLabel>Odds</pluralLabel>\n' +
    '    <deploymentStatus>Deployed</deploymentStatus>\n' +
    '</CustomObject>';
  const files = new Map([['objects/Odd__c.object', Buffer.from(odd)]]);
  expect(decomposeObjectFile('Odd__c', Buffer.from(odd), DEFAULT_SOURCE_ROOT)).toBeTruthy();
  const fast = await metadataFilesToSource(files);
  const slow = await metadataFilesToSource(files, { fast: false });
  expect(bytes(fast.components)).toEqual(bytes(slow.components));
  expect(fast.components.map(memberKey)).toEqual([
    'CustomField:Odd__c.A__c',
    'CustomField:Odd__c.B__c',
    'CustomObject:Odd__c',
    'ListView:Odd__c.Mine',
  ]);
  const parent = fast.components.find((c) => c.type === 'CustomObject')!.files[0]!.content.toString();
  expect(parent).toMatch(
    /<label>Odd<\/label>\s*<description>between the fields<\/description><!-- kept -->\s*<pluralLabel>Odds<\/pluralLabel>\s*<deploymentStatus>/,
  );
  const [back, backSlow] = await bothZips(fast.components);
  expect(back.get('objects/Odd__c.object')!.toString()).toBe(backSlow.get('objects/Odd__c.object')!.toString());
});

test('object files the fast path cannot read as plain CustomObjects are left to SDR', async () => {
  const unnamed = Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?>\n<CustomObject xmlns="${NS}">\n    <fields>\n        <label>No name</label>\n    </fields>\n</CustomObject>\n`,
  );
  const dotted = Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?>\n<CustomObject xmlns="${NS}">\n    <fields>\n        <fullName>A.B__c</fullName>\n    </fields>\n</CustomObject>\n`,
  );
  const otherRoot = Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?>\n<Something xmlns="${NS}">\n    <label>x</label>\n</Something>\n`,
  );
  for (const content of [unnamed, dotted, otherRoot])
    expect(decomposeObjectFile('X__c', content, DEFAULT_SOURCE_ROOT)).toBe(undefined);
  const files = new Map([
    ['objects/X__c.object', otherRoot],
    ['objects/Y__c.object', Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n<CustomObject xmlns="${NS}"/>\n`)],
  ]);
  const split = splitObjectMetadataFiles(files, DEFAULT_SOURCE_ROOT);
  expect([...split.rest.keys()]).toEqual(['objects/X__c.object']);
  const fast = await metadataFilesToSource(files);
  const slow = await metadataFilesToSource(files, { fast: false });
  expect(bytes(fast.components)).toEqual(bytes(slow.components));
});

test('source components the fast path cannot place are composed by SDR, the whole object together', async () => {
  const richCs = await rich;
  const [field, rule] = byName(richCs, 'Rich__c.Field000__c', 'Rich__c.Positive') as [
    ResolvedComponent,
    ResolvedComponent,
  ];
  const moved = {
    ...field,
    files: [
      {
        path: 'force-app/main/default/objects/Rich__c/elsewhere/Field000__c.field-meta.xml',
        content: field.files[0]!.content,
      },
    ],
  };
  const composed = composeObjectComponents([moved, rule]);
  expect(composed.files.size).toBe(0);
  expect(composed.rest.map(memberKey)).toEqual(['CustomField:Rich__c.Field000__c', 'ValidationRule:Rich__c.Positive']);
  const out = await readZip((await buildDeployZip({ components: [field, rule], apiVersion: '62.0' })).zip);
  expect(out.get('objects/Rich__c.object')!.toString()).toMatch(/<fields>[\s\S]*<validationRules>/);
});
