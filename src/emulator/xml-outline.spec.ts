import { describe, it, expect } from '@jest/globals';
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
    expect(outline.root.tag).toBe('CustomObject');
    expect(outline.children.map((c) => c.tag)).toEqual(['fields', 'label', 'empty', 'description']);
  });

  it('cuts each child exactly as written', () => {
    const outline = outlineXml(doc);
    const label = outline.children[1]!;
    expect(doc.slice(label.start, label.end)).toBe('<label attr="a>b">Thing &amp; co</label>');
    const empty = outline.children[2]!;
    expect(doc.slice(empty.start, empty.end)).toBe('<empty/>');
  });

  it('keeps the root start tag with its attributes', () => {
    expect(outlineXml(doc).rootStartTag).toBe('<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">');
  });

  it('reads a direct child text and ignores same-named deeper elements', () => {
    const outline = outlineXml(doc);
    expect(childText(doc, outline.children[0]!, 'fullName')).toBe('A__c');
    expect(childText(doc, outline.root, 'label')).toBe('Thing & co');
    expect(childText(doc, outline.root, 'missing')).toBe(undefined);
  });
});
