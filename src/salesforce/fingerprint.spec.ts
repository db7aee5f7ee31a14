import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sha256 } from '../common/hash.js';
import { canonicalXml, componentRelativePaths, fingerprintComponent } from './fingerprint.js';

const field = (body: string) => [{ path: 'force-app/main/default/objects/A__c/fields/F__c.field-meta.xml', content: Buffer.from(body) }];

const pretty = `<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>F__c</fullName>
    <label>Amount &amp; Tax</label>
    <type>Currency</type>
</CustomField>
`;

test('XML formatting, declaration and entity spelling do not change the fingerprint', () => {
  const compact = `<CustomField xmlns="http://soap.sforce.com/2006/04/metadata"><fullName>F__c</fullName><label><![CDATA[Amount & Tax]]></label><type>Currency</type></CustomField>`;
  const crlfTabs = pretty.replace(/\n/g, '\r\n').replace(/ {4}/g, '\t').replace('<?xml version="1.0" encoding="UTF-8"?>', "<?xml version='1.0'?>");
  assert.equal(fingerprintComponent(field(compact)), fingerprintComponent(field(pretty)));
  assert.equal(fingerprintComponent(field(crlfTabs)), fingerprintComponent(field(pretty)));
});

test('a changed value changes the fingerprint', () => {
  assert.notEqual(fingerprintComponent(field(pretty.replace('Currency', 'Number'))), fingerprintComponent(field(pretty)));
  assert.notEqual(fingerprintComponent(field(pretty.replace('<label>', '<label>x'))), fingerprintComponent(field(pretty)));
});

test('element order is significant (picklist values, layout items)', () => {
  const a = '<V><value>A</value><value>B</value></V>';
  const b = '<V><value>B</value><value>A</value></V>';
  assert.notEqual(canonicalXml(a), canonicalXml(b));
});

test('where the component lives in the project does not matter, its file names do', () => {
  const files = (root: string, name = 'A') => [
    { path: `${root}/classes/${name}.cls`, content: Buffer.from('public class A {}') },
    { path: `${root}/classes/${name}.cls-meta.xml`, content: Buffer.from('<ApexClass><apiVersion>62.0</apiVersion></ApexClass>') },
  ];
  assert.equal(fingerprintComponent(files('force-app/main/default')), fingerprintComponent(files('other/pkg/main/default/sub')));
  assert.notEqual(fingerprintComponent(files('force-app/main/default')), fingerprintComponent(files('force-app/main/default', 'B')));
});

test('file order does not matter and non-XML content is compared byte for byte', () => {
  const a = { path: 'lwc/x/x.js', content: Buffer.from('let a = 1;') };
  const b = { path: 'lwc/x/x.html', content: Buffer.from('<template></template>') };
  assert.equal(fingerprintComponent([a, b]), fingerprintComponent([b, a]));
  assert.notEqual(fingerprintComponent([a, b]), fingerprintComponent([{ ...a, content: Buffer.from('let a = 1; ') }, b]));
});

test('malformed XML is hashed as raw bytes instead of failing', () => {
  assert.equal(canonicalXml('<a><b></a>'), undefined);
  assert.match(fingerprintComponent(field('<a><b></a>')), /^[0-9a-f]{64}$/);
});

test('paths inside a bundle keep their sub-folders', () => {
  assert.deepEqual(componentRelativePaths(['p/lwc/x/x.js', 'p/lwc/x/sub/y.js', 'p/lwc/x/x.js-meta.xml']), ['x.js', 'sub/y.js', 'x.js-meta.xml']);
  assert.deepEqual(componentRelativePaths(['a/b/F.field-meta.xml']), ['F.field-meta.xml']);
});

test('sha256 is hex SHA-256', () => {
  assert.equal(sha256(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.equal(sha256(Buffer.from('abc')), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});
