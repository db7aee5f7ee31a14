import { describe, it, expect } from '@jest/globals';
import { metadataFilesToSource, settleAll } from './metadata-to-source.js';
import { MalformedXmlError } from './project.errors.js';

const LABELS = `<?xml version="1.0" encoding="UTF-8"?>
<CustomLabels xmlns="http://soap.sforce.com/2006/04/metadata">
    <labels>
        <fullName>Greeting</fullName>
        <language>en_US</language>
        <protected>false</protected>
        <shortDescription>Greeting</shortDescription>
        <value>Hello</value>
    </labels>
</CustomLabels>
`;

describe('metadataFilesToSource', () => {
  it('converts a retrieved CustomLabels file (SDR asks SfProject for package directories)', async () => {
    const out = await metadataFilesToSource(new Map([['labels/CustomLabels.labels', Buffer.from(LABELS)]]));
    const labels = out.components.find((c) => c.type === 'CustomLabels');
    expect(labels?.files.map((f) => f.path)).toEqual(['force-app/main/default/labels/CustomLabels.labels-meta.xml']);
    expect(labels!.files[0]!.content.toString()).toContain('<value>Hello</value>');
  });
});

const OBJECT = (fields: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">\n${fields}</CustomObject>\n`;
const FIELD = '    <fields>\n        <fullName>Tier__c</fullName>\n        <type>Text</type>\n    </fields>\n';

describe('metadataFilesToSource on malformed files', () => {
  it('names the first file that is not well-formed XML, an object file the scan cannot read among them', async () => {
    const files = new Map([
      ['objects/Good__c.object', Buffer.from(OBJECT(FIELD))],
      ['objects/Bad__c.object', Buffer.from(OBJECT('    <fields>\n        <fullName>Tier__c</fullName>\n'))],
      ['classes/A.cls-meta.xml', Buffer.from('<ApexClass><status>Active</ApexClass>')],
      ['classes/A.cls', Buffer.from('public class A {}')],
    ]);
    const error = await metadataFilesToSource(files).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MalformedXmlError);
    expect((error as MalformedXmlError).file).toBe('objects/Bad__c.object');
    files.delete('objects/Bad__c.object');
    const next = await metadataFilesToSource(files).catch((e: unknown) => e);
    expect((next as MalformedXmlError).file).toBe('classes/A.cls-meta.xml');
  });

  it('decomposes a well-formed object file the scan read without parsing it again', async () => {
    const out = await metadataFilesToSource(new Map([['objects/Good__c.object', Buffer.from(OBJECT(FIELD))]]));
    expect(out.components.map((c) => `${c.type}:${c.fullName}`)).toEqual([
      'CustomField:Good__c.Tier__c',
      'CustomObject:Good__c',
    ]);
  });
});

describe('settleAll', () => {
  it('throws the first failure only after every other promise has settled', async () => {
    let slowFinished = false;
    const slow = new Promise<number>((resolve) =>
      setTimeout(() => {
        slowFinished = true;
        resolve(1);
      }, 30),
    );
    await expect(settleAll([Promise.reject(new Error('the real error')), slow])).rejects.toThrow('the real error');
    expect(slowFinished).toBe(true);
  });

  it('returns every value in order when none fails', async () => {
    expect(await settleAll([Promise.resolve(1), Promise.resolve(2)])).toEqual([1, 2]);
  });
});
