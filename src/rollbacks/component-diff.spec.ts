import { createHash } from 'node:crypto';
import { describe, it, expect } from '@jest/globals';
import { componentDiff, isBinary } from './component-diff.js';

const f = (path: string, content: string | Buffer) => ({
  path,
  content: Buffer.isBuffer(content) ? content : Buffer.from(content),
});
const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

describe('componentDiff', () => {
  it('matches files by their path inside the component, whatever project folder they came from', () => {
    const out = componentDiff({
      snapshot: [
        f('force-app/main/default/classes/A.cls', 'a\n'),
        f('force-app/main/default/classes/A.cls-meta.xml', '<x/>'),
      ],
      deployed: [f('src/app/classes/A.cls', 'b\n'), f('src/app/classes/A.cls-meta.xml', '<x/>')],
    });
    expect(out.files.map((x) => [x.name, x.changedByDeploy])).toEqual([
      ['A.cls', true],
      ['A.cls-meta.xml', false],
    ]);
    expect(out.files[0]!.diff).toBe('--- snapshot/A.cls\n+++ deployed/A.cls\n@@ -1,1 +1,1 @@\n-a\n+b\n');
    expect(out.files[1]!.diff).toBe('');
    expect(out.changedByDeploy).toBe(true);
    expect(out.drift).toBeUndefined();
  });

  it('gives binary files sizes and checksums, never a line diff', () => {
    const zipA = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 1, 2]);
    const zipB = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 9, 9, 9]);
    const out = componentDiff({
      snapshot: [f('staticresources/R.resource', zipA)],
      deployed: [f('staticresources/R.resource', zipB)],
    });
    const file = out.files[0]!;
    expect(file.binary).toBe(true);
    expect(file.diff).toBeUndefined();
    expect(file.snapshot).toEqual({ path: 'staticresources/R.resource', size: 7, sha256: sha(zipA) });
    expect(file.deployed).toEqual({ path: 'staticresources/R.resource', size: 8, sha256: sha(zipB) });
    expect(file.changedByDeploy).toBe(true);
  });

  it('shows a created component as additions from /dev/null and a deleted one as removals', () => {
    const created = componentDiff({ snapshot: null, deployed: [f('classes/N.cls', 'x\n')] });
    expect(created.files[0]!.snapshot).toBeNull();
    expect(created.files[0]!.diff).toBe('--- /dev/null\n+++ deployed/N.cls\n@@ -0,0 +1,1 @@\n+x\n');
    const deleted = componentDiff({ snapshot: [f('classes/N.cls', 'x\n')], deployed: null });
    expect(deleted.files[0]!.deployed).toBeNull();
    expect(deleted.files[0]!.diff).toBe('--- snapshot/N.cls\n+++ /dev/null\n@@ -1,1 +0,0 @@\n-x\n');
  });

  it('marks drift where the org differs from what the deploy left, with the diff deployed → live', () => {
    const out = componentDiff({
      snapshot: [f('c/A.cls', 'v0\n')],
      deployed: [f('c/A.cls', 'v1\n')],
      live: [f('c/A.cls', 'v2\n')],
    });
    expect(out.drift).toBe(true);
    expect(out.files[0]!.live).toEqual({ path: 'c/A.cls', size: 3, sha256: sha('v2\n') });
    expect(out.files[0]!.driftDiff).toBe('--- deployed/A.cls\n+++ live/A.cls\n@@ -1,1 +1,1 @@\n-v1\n+v2\n');
  });

  it('does not call XML formatting drift, and calls a component missing from the org drift', () => {
    const pretty = '<?xml version="1.0"?>\n<A>\n    <b>1</b>\n</A>\n';
    const same = componentDiff({
      snapshot: null,
      deployed: [f('o/F.field-meta.xml', pretty)],
      live: [f('o/F.field-meta.xml', '<A><b>1</b></A>')],
    });
    expect(same.drift).toBe(false);
    const gone = componentDiff({ snapshot: null, deployed: [f('o/F.field-meta.xml', pretty)], live: null });
    expect(gone.drift).toBe(true);
    expect(gone.files[0]!.live).toBeNull();
  });
});

describe('isBinary', () => {
  it('treats NUL bytes and invalid UTF-8 as binary, and UTF-8 text (accents included) as text', () => {
    expect(isBinary(Buffer.from('héllo\n'))).toBe(false);
    expect(isBinary(Buffer.from([0x61, 0x00, 0x62]))).toBe(true);
    expect(isBinary(Buffer.from([0xff, 0xfe, 0x41]))).toBe(true);
  });
});
