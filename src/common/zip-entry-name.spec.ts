import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkEntryName, entryKind } from './zip-entry-name.js';

test('a plain relative path is safe and kept as is', () => {
  assert.deepEqual(checkEntryName('force-app/main/default/classes/A.cls'), {
    normalized: 'force-app/main/default/classes/A.cls',
    unsafe: null,
  });
});

test('backslash separators from Windows tools become slashes', () => {
  assert.deepEqual(checkEntryName('force-app\\main\\A.cls'), { normalized: 'force-app/main/A.cls', unsafe: null });
});

test('dot segments and doubled slashes are dropped', () => {
  assert.equal(checkEntryName('./a//b/./c.xml').normalized, 'a/b/c.xml');
});

test('a parent segment is refused in every spelling', () => {
  for (const name of ['../evil.sh', 'a/../../evil', '..\\..\\evil', 'a/b/..']) {
    assert.equal(checkEntryName(name).unsafe, 'traversal', name);
  }
});

test('absolute paths are refused, including drive letters and UNC paths', () => {
  for (const name of ['/etc/passwd', 'C:\\Windows\\win.ini', 'c:evil', '\\\\server\\share\\x', 'D:/x']) {
    assert.equal(checkEntryName(name).unsafe, 'absolute', name);
  }
});

test('names with control characters are refused', () => {
  assert.equal(checkEntryName('a\u0000.cls').unsafe, 'control-characters');
});

test('a name that is only dots and slashes is empty', () => {
  assert.equal(checkEntryName('./').unsafe, 'empty');
});

test('the unix mode in the external attributes marks symlinks and folders', () => {
  assert.equal(entryKind((0o120777 << 16) >>> 0, false), 'symlink');
  assert.equal(entryKind((0o040755 << 16) >>> 0, false), 'directory');
  assert.equal(entryKind((0o100644 << 16) >>> 0, false), 'file');
  assert.equal(entryKind(0, false), 'file');
  assert.equal(entryKind(0, true), 'directory');
  assert.equal(entryKind((0o010644 << 16) >>> 0, false), 'special');
});
