import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of a fixture under test/fixtures (tests run from dist/test/helpers/, fixtures stay in the source tree). */
export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`../../../test/fixtures/${name}`, import.meta.url));
}

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n';
const NS = 'http://soap.sforce.com/2006/04/metadata';

/** A source-format file of type `root` with the given (already indented) body lines. */
function metaXml(root: string, body: string): string {
  return `${XML_HEAD}<${root} xmlns="${NS}">\n${body}</${root}>\n`;
}

/**
 * Writes an SFDX project (sfdx-project.json + force-app) holding `Rich__c`: an object whose own file has repeated
 * elements, entities, a multi-line description and a comment, with 39 fields of several kinds and one child of
 * every other CustomObject child type (validation rule, list view, record type, business process, compact layout,
 * field set, web link, sharing reason, index). Returns the number of components written.
 */
export async function writeRichObjectProject(dir: string, object = 'Rich__c'): Promise<number> {
  const base = join(dir, 'force-app', 'main', 'default', 'objects', object);
  const put = async (sub: string, name: string, content: string): Promise<void> => {
    await mkdir(join(base, sub), { recursive: true });
    await writeFile(join(base, sub, name), content);
  };
  await mkdir(base, { recursive: true });
  await writeFile(
    join(dir, 'sfdx-project.json'),
    JSON.stringify({
      packageDirectories: [{ path: 'force-app', default: true }],
      name: 'rich',
      sourceApiVersion: '62.0',
    }),
  );
  await put(
    '',
    `${object}.object-meta.xml`,
    metaXml(
      'CustomObject',
      [
        '    <actionOverrides>\n        <actionName>Accept</actionName>\n        <type>Default</type>\n    </actionOverrides>\n',
        '    <actionOverrides>\n        <actionName>View</actionName>\n        <type>Default</type>\n    </actionOverrides>\n',
        '    <allowInChatterGroups>false</allowInChatterGroups>\n',
        '    <deploymentStatus>Deployed</deploymentStatus>\n',
        '    <description>Rich &amp; varied &lt;object&gt; with a quote &#39;q&#39; and a non-breaking&#160;space.\n        Second line kept as written.</description>\n',
        '    <enableHistory>true</enableHistory>\n',
        '    <!-- a note left by an admin -->\n',
        '    <label>Rich</label>\n',
        '    <nameField>\n        <label>Rich Name</label>\n        <type>Text</type>\n    </nameField>\n',
        '    <pluralLabel>Riches</pluralLabel>\n',
        '    <searchLayouts>\n        <customTabListAdditionalFields>Name</customTabListAdditionalFields>\n        <customTabListAdditionalFields>Field000__c</customTabListAdditionalFields>\n    </searchLayouts>\n',
        '    <sharingModel>ReadWrite</sharingModel>\n',
        '    <visibility>Public</visibility>\n',
      ].join(''),
    ),
  );
  for (let f = 0; f < 39; f++) {
    const name = `Field${String(f).padStart(3, '0')}__c`;
    const kind = f % 4;
    const body =
      kind === 0
        ? `    <fullName>${name}</fullName>\n    <label>Field ${f}</label>\n    <length>255</length>\n    <required>false</required>\n    <type>Text</type>\n`
        : kind === 1
          ? `    <fullName>${name}</fullName>\n    <label>Pick ${f}</label>\n    <type>Picklist</type>\n    <valueSet>\n        <restricted>true</restricted>\n        <valueSetDefinition>\n            <sorted>false</sorted>\n            <value>\n                <fullName>A &amp; B</fullName>\n                <default>true</default>\n                <label>A &amp; B</label>\n            </value>\n            <value>\n                <fullName>C</fullName>\n                <default>false</default>\n                <label>C</label>\n            </value>\n        </valueSetDefinition>\n    </valueSet>\n`
          : kind === 2
            ? `    <fullName>${name}</fullName>\n    <formula>IF(Field000__c = &#39;x&#39; &amp;&amp; Amount &lt; 10, &quot;low&quot;, &quot;high&quot;)</formula>\n    <label>Formula ${f}</label>\n    <type>Text</type>\n`
            : `    <fullName>${name}</fullName>\n    <description>Line one\nline two\n    indented line three</description>\n    <label>Long ${f}</label>\n    <length>32768</length>\n    <type>LongTextArea</type>\n    <visibleLines>3</visibleLines>\n`;
    await put('fields', `${name}.field-meta.xml`, metaXml('CustomField', body));
  }
  await put(
    'validationRules',
    'Positive.validationRule-meta.xml',
    metaXml(
      'ValidationRule',
      '    <fullName>Positive</fullName>\n    <active>true</active>\n    <errorConditionFormula>VALUE(Field000__c) &lt; 0</errorConditionFormula>\n    <errorMessage>Must be &#39;positive&#39;.</errorMessage>\n',
    ),
  );
  await put(
    'listViews',
    'All.listView-meta.xml',
    metaXml(
      'ListView',
      '    <fullName>All</fullName>\n    <columns>NAME</columns>\n    <columns>Field000__c</columns>\n    <filterScope>Everything</filterScope>\n    <label>All</label>\n',
    ),
  );
  await put(
    'recordTypes',
    'Standard.recordType-meta.xml',
    metaXml(
      'RecordType',
      '    <fullName>Standard</fullName>\n    <active>true</active>\n    <businessProcess>Flow</businessProcess>\n    <label>Standard</label>\n    <picklistValues>\n        <picklist>Field001__c</picklist>\n        <values>\n            <fullName>C</fullName>\n            <default>false</default>\n        </values>\n    </picklistValues>\n',
    ),
  );
  await put(
    'businessProcesses',
    'Flow.businessProcess-meta.xml',
    metaXml(
      'BusinessProcess',
      '    <fullName>Flow</fullName>\n    <isActive>true</isActive>\n    <values>\n        <fullName>C</fullName>\n        <default>false</default>\n    </values>\n',
    ),
  );
  await put(
    'compactLayouts',
    'Compact.compactLayout-meta.xml',
    metaXml(
      'CompactLayout',
      '    <fullName>Compact</fullName>\n    <fields>Name</fields>\n    <fields>Field000__c</fields>\n    <label>Compact</label>\n',
    ),
  );
  await put(
    'fieldSets',
    'Set.fieldSet-meta.xml',
    metaXml(
      'FieldSet',
      '    <fullName>Set</fullName>\n    <description>Fields for the page</description>\n    <displayedFields>\n        <field>Field000__c</field>\n        <isFieldManaged>false</isFieldManaged>\n        <isRequired>false</isRequired>\n    </displayedFields>\n    <label>Set</label>\n',
    ),
  );
  await put(
    'webLinks',
    'Open.webLink-meta.xml',
    metaXml(
      'WebLink',
      '    <fullName>Open</fullName>\n    <availability>online</availability>\n    <displayType>button</displayType>\n    <linkType>url</linkType>\n    <masterLabel>Open</masterLabel>\n    <openType>newWindow</openType>\n    <protected>false</protected>\n    <url>https://example.com/?a=1&amp;b={!Rich__c.Id}</url>\n',
    ),
  );
  await put(
    'sharingReasons',
    'Reason__c.sharingReason-meta.xml',
    metaXml('SharingReason', '    <fullName>Reason__c</fullName>\n    <label>Reason</label>\n'),
  );
  await put(
    'indexes',
    'Idx.index-meta.xml',
    metaXml(
      'Index',
      '    <fullName>Idx</fullName>\n    <fields>\n        <name>Field000__c</name>\n        <sortDirection>ASC</sortDirection>\n    </fields>\n    <label>Idx</label>\n',
    ),
  );
  return 1 + 39 + 9;
}
