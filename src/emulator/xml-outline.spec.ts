import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { childText, outlineXml } from './xml-outline.js';

const doc = `<?xml version="1.0" encoding="UTF-8"?>
<!-- heading -->
<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">
    <fields>
        <fullName>A__c</fullName>
        <valueSet><value><fullName>nested</fullName></value></valueSet>
    </fields>
    <label attr="a>b">Thing &amp; co</label>
    <!-- <fields><fullName>commented</fullName></fields> -->
    <empty/>
    <description><![CDATA[<not-a-tag>]]></description>
</CustomObject>
`;

describe('outlineXml', () => {
  it('lists the direct children of the root with their tags, skipping comments', () => {
    const outline = outlineXml(doc);
    assert.equal(outline.root.tag, 'CustomObject');
    assert.deepEqual(outline.children.map((c) => c.tag), ['fields', 'label', 'empty', 'description']);
  });

  it('cuts each child exactly as written', () => {
    const outline = outlineXml(doc);
    const label = outline.children[1]!;
    assert.equal(doc.slice(label.start, label.end), '<label attr="a>b">Thing &amp; co</label>');
    const empty = outline.children[2]!;
    assert.equal(doc.slice(empty.start, empty.end), '<empty/>');
  });

  it('keeps the root start tag with its attributes', () => {
    assert.equal(outlineXml(doc).rootStartTag, '<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">');
  });

  it('reads a direct child text and ignores same-named deeper elements', () => {
    const outline = outlineXml(doc);
    assert.equal(childText(doc, outline.children[0]!, 'fullName'), 'A__c');
    assert.equal(childText(doc, outline.root, 'label'), 'Thing & co');
    assert.equal(childText(doc, outline.root, 'missing'), undefined);
  });
});
