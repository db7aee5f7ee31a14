import { describe, it, expect } from '@jest/globals';
import { metadataFilesToSource, settleAll } from './metadata-to-source.js';

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
