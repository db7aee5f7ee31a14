import { describe, it, expect } from '@jest/globals';
import { fileFolderClashes, unsafeNameMessage } from './zip-intake.js';

describe('fileFolderClashes', () => {
  it('finds a path used as a file and as the folder of another entry', () => {
    const plan = [
      { name: 'classes/Ok.cls', kind: 'file' as const },
      { name: 'classes/Ok.cls/x.txt', kind: 'file' as const },
      { name: 'classes/Fine.cls', kind: 'file' as const },
    ];
    expect(fileFolderClashes(plan)).toEqual(['classes/Ok.cls']);
  });
  it('finds a folder entry with the name of a file', () => {
    expect(
      fileFolderClashes([
        { name: 'a', kind: 'file' },
        { name: 'a', kind: 'directory' },
      ]),
    ).toEqual(['a']);
  });
  it('accepts files in folders that are only folders', () => {
    expect(
      fileFolderClashes([
        { name: 'a', kind: 'directory' },
        { name: 'a/b.cls', kind: 'file' },
      ]),
    ).toEqual([]);
  });
});

describe('unsafeNameMessage', () => {
  it('says control characters for control characters, shown as code points', () => {
    const message = unsafeNameMessage('control-characters', ['a\u0001b.cls']);
    expect(message).toMatch(/control characters such as NUL or newline \(a\\u\{1\}b\.cls\)/);
    expect(message).not.toMatch(/absolute/);
  });
  it('says absolute paths or ".." for traversal', () => {
    expect(unsafeNameMessage('traversal', ['../x'])).toMatch(/absolute paths or "\.\." segments \(\.\.\/x\)/);
  });
});
