import { test, expect } from '@jest/globals';
import { sha256 } from '../common/hash.js';
import { CanonicalMemo, canonicalXml, componentRelativePaths, fingerprintComponent } from './fingerprint.js';

const field = (body: string) => [
  { path: 'force-app/main/default/objects/A__c/fields/F__c.field-meta.xml', content: Buffer.from(body) },
];

const pretty = `<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>F__c</fullName>
    <label>Amount &amp; Tax</label>
    <type>Currency</type>
</CustomField>
`;

test('XML formatting, declaration and entity spelling do not change the fingerprint', () => {
  const compact = `<CustomField xmlns="http://soap.sforce.com/2006/04/metadata"><fullName>F__c</fullName><label><![CDATA[Amount & Tax]]></label><type>Currency</type></CustomField>`;
  const crlfTabs = pretty
    .replace(/\n/g, '\r\n')
    .replace(/ {4}/g, '\t')
    .replace('<?xml version="1.0" encoding="UTF-8"?>', "<?xml version='1.0'?>");
  expect(fingerprintComponent(field(compact))).toBe(fingerprintComponent(field(pretty)));
  expect(fingerprintComponent(field(crlfTabs))).toBe(fingerprintComponent(field(pretty)));
});

test('a changed value changes the fingerprint', () => {
  expect(fingerprintComponent(field(pretty.replace('Currency', 'Number')))).not.toBe(
    fingerprintComponent(field(pretty)),
  );
  expect(fingerprintComponent(field(pretty.replace('<label>', '<label>x')))).not.toBe(
    fingerprintComponent(field(pretty)),
  );
});

test('element order is significant (picklist values, layout items)', () => {
  const a = '<V><value>A</value><value>B</value></V>';
  const b = '<V><value>B</value><value>A</value></V>';
  expect(canonicalXml(a)).not.toBe(canonicalXml(b));
});

test('where the component lives in the project does not matter, its file names do', () => {
  const files = (root: string, name = 'A') => [
    { path: `${root}/classes/${name}.cls`, content: Buffer.from('public class A {}') },
    {
      path: `${root}/classes/${name}.cls-meta.xml`,
      content: Buffer.from('<ApexClass><apiVersion>62.0</apiVersion></ApexClass>'),
    },
  ];
  expect(fingerprintComponent(files('force-app/main/default'))).toBe(
    fingerprintComponent(files('other/pkg/main/default/sub')),
  );
  expect(fingerprintComponent(files('force-app/main/default'))).not.toBe(
    fingerprintComponent(files('force-app/main/default', 'B')),
  );
});

test('file order does not matter and non-XML content is compared byte for byte', () => {
  const a = { path: 'lwc/x/x.js', content: Buffer.from('let a = 1;') };
  const b = { path: 'lwc/x/x.html', content: Buffer.from('<template></template>') };
  expect(fingerprintComponent([a, b])).toBe(fingerprintComponent([b, a]));
  expect(fingerprintComponent([a, b])).not.toBe(
    fingerprintComponent([{ ...a, content: Buffer.from('let a = 1; ') }, b]),
  );
});

test('malformed XML is hashed as raw bytes instead of failing', () => {
  expect(canonicalXml('<a><b></a>')).toBe(undefined);
  expect(fingerprintComponent(field('<a><b></a>'))).toMatch(/^[0-9a-f]{64}$/);
});

test('paths inside a bundle keep their sub-folders', () => {
  expect(componentRelativePaths(['p/lwc/x/x.js', 'p/lwc/x/sub/y.js', 'p/lwc/x/x.js-meta.xml'])).toEqual([
    'x.js',
    'sub/y.js',
    'x.js-meta.xml',
  ]);
  expect(componentRelativePaths(['a/b/F.field-meta.xml'])).toEqual(['F.field-meta.xml']);
});

/** The definition, segment by segment: what `componentRelativePaths` computes as text. */
function relativeBySegments(paths: string[]): string[] {
  if (paths.length === 0) return [];
  const dirs = paths.map((p) => p.split('/').slice(0, -1));
  let common = dirs[0]!;
  for (const d of dirs.slice(1)) {
    let i = 0;
    while (i < common.length && i < d.length && common[i] === d[i]) i++;
    common = common.slice(0, i);
  }
  return paths.map((p) => p.split('/').slice(common.length).join('/'));
}

test('paths relative to the shared folder are those of the segment-by-segment definition, whatever the paths', () => {
  // segments that share prefixes without being equal (`ab` and `abc`), empty ones, files at the root, dots
  const segments = ['a', 'ab', 'abc', 'b', '', '.x', 'a.cls'];
  let seed = 17;
  const next = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  const path = () => Array.from({ length: 1 + next(4) }, () => segments[next(segments.length)]!).join('/');
  for (let round = 0; round < 5000; round++) {
    const paths = Array.from({ length: 1 + next(4) }, path);
    expect([paths, componentRelativePaths(paths)]).toEqual([paths, relativeBySegments(paths)]);
  }
  expect(componentRelativePaths(['classes/A.cls', 'classesB/A.cls-meta.xml'])).toEqual([
    'classes/A.cls',
    'classesB/A.cls-meta.xml',
  ]);
});

test('sha256 is hex SHA-256', () => {
  expect(sha256('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  expect(sha256(Buffer.from('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});

test('fingerprints made with canonical forms kept by content address are those made without', () => {
  const stored = (path: string, body: string) => ({
    path,
    content: Buffer.from(body),
    sha256: sha256(Buffer.from(body)),
  });
  // the same bytes read as a set (a labels file) and as a sequence: canonical forms that differ
  const labels = `<CustomLabels><labels><fullName>B</fullName></labels><labels><fullName>A</fullName></labels></CustomLabels>`;
  const meta = `<?xml version="1.0"?><ApexClass><apiVersion>62.0</apiVersion><status>Active</status></ApexClass>`;
  const components = [
    [stored('labels/CustomLabels.labels-meta.xml', labels)],
    [stored('x/Labels.xml', labels)],
    ...Array.from({ length: 20 }, (_, i) => [
      stored(`classes/C${i}.cls`, `public class C${i} {}`),
      stored(`classes/C${i}.cls-meta.xml`, i % 5 ? meta : meta.replace('62.0', '61.0')),
    ]),
    [stored('objects/A__c/fields/F__c.field-meta.xml', '<CustomField><fullName>F__c</fullName><oops></CustomField>')],
  ];
  const memo = new CanonicalMemo(components.flat().map((f) => f.sha256));
  const kept = components.map((files) => fingerprintComponent(files, memo));
  expect(kept).toEqual(components.map((files) => fingerprintComponent(files)));
  expect(new Set(kept).size).toBe(components.length);
  // one per repeated content and reading: the labels twice (as a set and as a sequence), the two class metas; the
  // malformed field, met once, is not held
  expect(memo.size).toBe(4);
});
