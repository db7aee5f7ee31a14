import { describe, it, expect } from '@jest/globals';
import { diffLines, splitLines, unifiedDiff, type DiffLine } from './line-diff.js';

/** The two texts an edit script joins: its kept and removed lines (`a`), and its kept and added lines (`b`). */
function apply(script: DiffLine[]): { a: string[]; b: string[] } {
  return {
    a: script.filter((l) => l.op !== '+').map((l) => l.text),
    b: script.filter((l) => l.op !== '-').map((l) => l.text),
  };
}
const edits = (script: DiffLine[]) => script.filter((l) => l.op !== ' ').length;

describe('splitLines', () => {
  it('drops the empty line after a trailing newline and treats CRLF as one line end', () => {
    expect(splitLines('a\r\nb\n')).toEqual(['a', 'b']);
    expect(splitLines('a\n\nb')).toEqual(['a', '', 'b']);
    expect(splitLines('')).toEqual([]);
  });
});

describe('diffLines', () => {
  it('keeps every line of equal texts', () => {
    expect(diffLines(['a', 'b'], ['a', 'b'])).toEqual([
      { op: ' ', text: 'a' },
      { op: ' ', text: 'b' },
    ]);
  });

  it('finds the shortest edit script (the classic ABCABBA → CBABAC has 5 edits)', () => {
    const a = Array.from('ABCABBA');
    const b = Array.from('CBABAC');
    const script = diffLines(a, b)!;
    expect(apply(script)).toEqual({ a, b });
    expect(edits(script)).toBe(5);
  });

  it('handles texts where one side is empty', () => {
    expect(diffLines([], ['x'])).toEqual([{ op: '+', text: 'x' }]);
    expect(diffLines(['x'], [])).toEqual([{ op: '-', text: 'x' }]);
  });

  it('reproduces both sides for many pseudo-random edits', () => {
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    for (let round = 0; round < 200; round++) {
      const a = Array.from({ length: rnd(12) }, () => String.fromCharCode(97 + rnd(4)));
      const b = Array.from({ length: rnd(12) }, () => String.fromCharCode(97 + rnd(4)));
      const script = diffLines(a, b)!;
      expect(apply(script)).toEqual({ a, b });
      expect(edits(script)).toBeLessThanOrEqual(a.length + b.length);
    }
  });

  it('gives up (null) when the edit needs more than maxEdits changes', () => {
    expect(diffLines(['a', 'b', 'c'], ['x', 'y', 'z'], 2)).toBeNull();
  });
});

describe('unifiedDiff', () => {
  it('is empty for texts equal line for line', () => {
    expect(unifiedDiff('a\nb\n', 'a\r\nb\r\n', { a: 'before', b: 'after' })).toBe('');
  });

  it('prints one hunk with three lines of context around a change', () => {
    const a = ['1', '2', '3', '4', '5', '6', '7', '8', '9'].join('\n') + '\n';
    const b = a.replace('5\n', 'five\n');
    expect(unifiedDiff(a, b, { a: 'snapshot/X.cls', b: 'deployed/X.cls' })).toBe(
      [
        '--- snapshot/X.cls',
        '+++ deployed/X.cls',
        '@@ -2,7 +2,7 @@',
        ' 2',
        ' 3',
        ' 4',
        '-5',
        '+five',
        ' 6',
        ' 7',
        ' 8',
        '',
      ].join('\n'),
    );
  });

  it('splits distant changes into separate hunks and numbers them from 1', () => {
    const lines = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`);
    const changed = [...lines];
    changed[0] = 'first';
    changed[19] = 'last';
    const diff = unifiedDiff(lines.join('\n'), changed.join('\n'), { a: 'a', b: 'b' })!;
    expect(diff.split('\n').filter((l) => l.startsWith('@@'))).toEqual(['@@ -1,4 +1,4 @@', '@@ -17,4 +17,4 @@']);
  });

  it('numbers an addition to an empty file as starting at 0 on the old side', () => {
    expect(unifiedDiff('', 'x\n', { a: 'a', b: 'b' })).toBe('--- a\n+++ b\n@@ -0,0 +1,1 @@\n+x\n');
  });
});
