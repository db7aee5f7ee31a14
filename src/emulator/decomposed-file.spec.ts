import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { composeFile, DecomposeError, decomposeFile } from './decomposed-file.js';
import { findType } from './metadata-types.js';

const objectDef = findType('CustomObject')!;
const labelsDef = findType('CustomLabels')!;

const objectXml = `<?xml version="1.0" encoding="UTF-8"?>
<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">
    <label>Thing</label>
    <fields>
        <fullName>B__c</fullName>
        <type>Text</type>
    </fields>
    <deploymentStatus>Deployed</deploymentStatus>
    <fields>
        <fullName>A__c</fullName>
        <type>Number</type>
    </fields>
    <validationRules>
        <fullName>Rule1</fullName>
    </validationRules>
</CustomObject>
`;

describe('decomposeFile', () => {
  it('splits children out with qualified names and keeps each fragment as written', () => {
    const { children } = decomposeFile(objectDef, 'Thing__c', objectXml);
    assert.deepEqual(children.map((c) => [c.type, c.fullName, c.tag]), [
      ['CustomField', 'Thing__c.B__c', 'fields'],
      ['CustomField', 'Thing__c.A__c', 'fields'],
      ['ValidationRule', 'Thing__c.Rule1', 'validationRules'],
    ]);
    assert.equal(children[1]?.fragment, '<fields>\n        <fullName>A__c</fullName>\n        <type>Number</type>\n    </fields>');
  });

  it('leaves the parent with its own elements only, sorted by element name', () => {
    const { parent } = decomposeFile(objectDef, 'Thing__c', objectXml);
    assert.equal(
      parent,
      '<?xml version="1.0" encoding="UTF-8"?>\n<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">\n    <deploymentStatus>Deployed</deploymentStatus>\n    <label>Thing</label>\n</CustomObject>\n',
    );
  });

  it('uses plain child names for custom labels', () => {
    const xml = '<CustomLabels><labels><fullName>Greeting</fullName><value>Hi</value></labels></CustomLabels>';
    assert.equal(decomposeFile(labelsDef, 'CustomLabels', xml).children[0]?.fullName, 'Greeting');
  });

  it('refuses a child element without a fullName', () => {
    assert.throws(() => decomposeFile(objectDef, 'X__c', '<CustomObject><fields><type>Text</type></fields></CustomObject>'), DecomposeError);
  });
});

describe('composeFile', () => {
  it('merges children back so that decomposing the result gives the same parts', () => {
    const first = decomposeFile(objectDef, 'Thing__c', objectXml);
    const merged = composeFile(objectDef, first.parent, first.children);
    const second = decomposeFile(objectDef, 'Thing__c', merged);
    assert.equal(second.parent, first.parent);
    assert.deepEqual(new Set(second.children.map((c) => c.fragment)), new Set(first.children.map((c) => c.fragment)));
    assert.equal(composeFile(objectDef, second.parent, second.children), merged);
  });

  it('orders children by element name, then by child name', () => {
    const { parent, children } = decomposeFile(objectDef, 'Thing__c', objectXml);
    const merged = composeFile(objectDef, parent, children);
    const order = [...merged.matchAll(/<fullName>(\w+)<\/fullName>/g)].map((m) => m[1]);
    assert.deepEqual(order, ['A__c', 'B__c', 'Rule1']);
  });

  it('writes a bare root when the parent itself is absent', () => {
    const merged = composeFile(objectDef, undefined, [{ tag: 'fields', name: 'F__c', fragment: '<fields><fullName>F__c</fullName></fields>' }]);
    assert.equal(merged, '<?xml version="1.0" encoding="UTF-8"?>\n<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">\n    <fields><fullName>F__c</fullName></fields>\n</CustomObject>\n');
  });
});
