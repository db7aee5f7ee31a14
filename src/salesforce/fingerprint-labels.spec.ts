import { describe, it, expect } from '@jest/globals';
import { fingerprintComponent } from './fingerprint.js';

const label = (name: string, value: string) =>
  `    <labels>\n        <fullName>${name}</fullName>\n        <language>en_US</language>\n        <protected>false</protected>\n        <shortDescription>${name}</shortDescription>\n        <value>${value}</value>\n    </labels>\n`;
const labels = (...items: string[]) =>
  Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?>\n<CustomLabels xmlns="http://soap.sforce.com/2006/04/metadata">\n${items.join('')}</CustomLabels>\n`,
  );
const path = 'force-app/main/default/labels/CustomLabels.labels-meta.xml';

describe('fingerprints of custom labels', () => {
  it('ignores the order of the labels (an org returns them sorted, whatever order they were deployed in)', () => {
    const deployed = fingerprintComponent([{ path, content: labels(label('B_Label', 'b'), label('A_Label', 'a')) }]);
    const retrieved = fingerprintComponent([{ path, content: labels(label('A_Label', 'a'), label('B_Label', 'b')) }]);
    expect(retrieved).toBe(deployed);
  });

  it('still sees a changed label value', () => {
    const before = fingerprintComponent([{ path, content: labels(label('A_Label', 'a')) }]);
    const after = fingerprintComponent([{ path, content: labels(label('A_Label', 'changed')) }]);
    expect(after).not.toBe(before);
  });

  it('keeps element order significant in other metadata', () => {
    const flow = (a: string, b: string) => Buffer.from(`<Flow><x>${a}</x><x>${b}</x></Flow>`);
    const p = 'force-app/main/default/flows/F.flow-meta.xml';
    expect(fingerprintComponent([{ path: p, content: flow('1', '2') }])).not.toBe(
      fingerprintComponent([{ path: p, content: flow('2', '1') }]),
    );
  });
});
