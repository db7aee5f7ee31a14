import { describe, it, expect } from '@jest/globals';
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
    expect(children.map((c) => [c.type, c.fullName, c.tag])).toEqual([
      ['CustomField', 'Thing__c.B__c', 'fields'],
      ['CustomField', 'Thing__c.A__c', 'fields'],
      ['ValidationRule', 'Thing__c.Rule1', 'validationRules'],
    ]);
    expect(children[1]?.fragment).toBe(
      '<fields>\n        <fullName>A__c</fullName>\n        <type>Number</type>\n    </fields>',
    );
  });

  it('leaves the parent with its own elements only, sorted by element name', () => {
    const { parent } = decomposeFile(objectDef, 'Thing__c', objectXml);
    expect(parent).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">\n    <deploymentStatus>Deployed</deploymentStatus>\n    <label>Thing</label>\n</CustomObject>\n',
    );
  });

  it('uses plain child names for custom labels', () => {
    const xml = '<CustomLabels><labels><fullName>Greeting</fullName><value>Hi</value></labels></CustomLabels>';
    expect(decomposeFile(labelsDef, 'CustomLabels', xml).children[0]?.fullName).toBe('Greeting');
  });

  it('refuses a child element without a fullName', () => {
    expect(() =>
      decomposeFile(objectDef, 'X__c', '<CustomObject><fields><type>Text</type></fields></CustomObject>'),
    ).toThrow(DecomposeError);
  });
});

describe('composeFile', () => {
  it('merges children back so that decomposing the result gives the same parts', () => {
    const first = decomposeFile(objectDef, 'Thing__c', objectXml);
    const merged = composeFile(objectDef, first.parent, first.children);
    const second = decomposeFile(objectDef, 'Thing__c', merged);
    expect(second.parent).toBe(first.parent);
    expect(new Set(second.children.map((c) => c.fragment))).toEqual(new Set(first.children.map((c) => c.fragment)));
    expect(composeFile(objectDef, second.parent, second.children)).toBe(merged);
  });

  it('orders children by element name, then by child name', () => {
    const { parent, children } = decomposeFile(objectDef, 'Thing__c', objectXml);
    const merged = composeFile(objectDef, parent, children);
    const order = [...merged.matchAll(/<fullName>(\w+)<\/fullName>/g)].map((m) => m[1]);
    expect(order).toEqual(['A__c', 'B__c', 'Rule1']);
  });

  it('writes a bare root when the parent itself is absent', () => {
    const merged = composeFile(objectDef, undefined, [
      { tag: 'fields', name: 'F__c', fragment: '<fields><fullName>F__c</fullName></fields>' },
    ]);
    expect(merged).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">\n    <fields><fullName>F__c</fullName></fields>\n</CustomObject>\n',
    );
  });
});
