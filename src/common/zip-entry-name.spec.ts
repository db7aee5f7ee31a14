import { test, expect } from '@jest/globals';
import { checkEntryName, entryKind } from './zip-entry-name.js';

test('a plain relative path is safe and kept as is', () => {
  expect(checkEntryName('force-app/main/default/classes/A.cls')).toEqual({
    normalized: 'force-app/main/default/classes/A.cls',
    unsafe: null,
  });
});

test('backslash separators from Windows tools become slashes', () => {
  expect(checkEntryName('force-app\\main\\A.cls')).toEqual({ normalized: 'force-app/main/A.cls', unsafe: null });
});

test('dot segments and doubled slashes are dropped', () => {
  expect(checkEntryName('./a//b/./c.xml').normalized).toBe('a/b/c.xml');
});

test('a parent segment is refused in every spelling', () => {
  for (const name of ['../evil.sh', 'a/../../evil', '..\\..\\evil', 'a/b/..']) {
    expect(checkEntryName(name).unsafe).toBe('traversal');
  }
});

test('absolute paths are refused, including drive letters and UNC paths', () => {
  for (const name of ['/etc/passwd', 'C:\\Windows\\win.ini', 'c:evil', '\\\\server\\share\\x', 'D:/x']) {
    expect(checkEntryName(name).unsafe).toBe('absolute');
  }
});

test('names with control characters are refused', () => {
  expect(checkEntryName('a\u0000.cls').unsafe).toBe('control-characters');
});

test('a name that is only dots and slashes is empty', () => {
  expect(checkEntryName('./').unsafe).toBe('empty');
});

test('the unix mode in the external attributes marks symlinks and folders', () => {
  expect(entryKind((0o120777 << 16) >>> 0, false)).toBe('symlink');
  expect(entryKind((0o040755 << 16) >>> 0, false)).toBe('directory');
  expect(entryKind((0o100644 << 16) >>> 0, false)).toBe('file');
  expect(entryKind(0, false)).toBe('file');
  expect(entryKind(0, true)).toBe('directory');
  expect(entryKind((0o010644 << 16) >>> 0, false)).toBe('special');
});
