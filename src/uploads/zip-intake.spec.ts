import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { craftZip } from '../../test/fixtures/craft-zip.js';
import { writeZip } from '../common/zip.js';
import { DEFAULT_UPLOAD_LIMITS, UploadRejectedError, extractUpload, wrappingFolder, type UploadLimits } from './zip-intake.js';

async function scratch(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'bt-intake-'));
}

async function rejection(promise: Promise<unknown>): Promise<UploadRejectedError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof UploadRejectedError, `expected UploadRejectedError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the upload to be rejected');
}

const small: UploadLimits = { maxUncompressedBytes: 4 * 1024 * 1024, maxRatio: 100, maxEntries: 100, maxFileBytes: 3 * 1024 * 1024 };

test('extracts a normal zip and strips the folder that wraps the project', async () => {
  const base = await scratch();
  const zip = await writeZip([
    { path: 'my-project/sfdx-project.json', content: Buffer.from('{"packageDirectories":[{"path":"force-app"}]}') },
    { path: 'my-project/force-app/main/default/classes/A.cls', content: Buffer.from('public class A {}') },
  ]);
  const out = await extractUpload(zip, join(base, 'x'), DEFAULT_UPLOAD_LIMITS);
  assert.deepEqual(out.files, ['force-app/main/default/classes/A.cls', 'sfdx-project.json']);
  assert.equal(out.strippedPrefix, 'my-project/');
  assert.equal(await readFile(join(base, 'x', 'force-app/main/default/classes/A.cls'), 'utf8'), 'public class A {}');
  await rm(base, { recursive: true });
});

test('keeps a bare force-app folder because its name is part of the project paths', () => {
  assert.equal(wrappingFolder(['force-app/main/default/classes/A.cls', 'force-app/main/default/classes/A.cls-meta.xml']), undefined);
  assert.equal(wrappingFolder(['unpackaged/package.xml', 'unpackaged/classes/A.cls']), 'unpackaged/');
  assert.equal(wrappingFolder(['package.xml', 'classes/A.cls']), undefined);
});

test('skips macOS resource forks and Finder files', async () => {
  const base = await scratch();
  const zip = craftZip([
    { name: 'package.xml', data: Buffer.from('<Package/>') },
    { name: '__MACOSX/._package.xml', data: Buffer.from('junk') },
    { name: 'classes/.DS_Store', data: Buffer.from('junk') },
  ]);
  const out = await extractUpload(zip, join(base, 'x'), small);
  assert.deepEqual(out.files, ['package.xml']);
  await rm(base, { recursive: true });
});

test('refuses bytes that are not a zip with 400', async () => {
  const base = await scratch();
  const err = await rejection(extractUpload(Buffer.from('definitely not a zip file'), join(base, 'x'), small));
  assert.equal(err.status, 400);
  assert.match(err.message, /not a readable zip/);
  assert.equal(existsSync(join(base, 'x')), false);
  await rm(base, { recursive: true });
});

for (const evil of ['../evil.txt', 'force-app/../../evil.txt', '/etc/evil.txt', 'C:\\Windows\\evil.txt', '..\\..\\evil.txt']) {
  test(`refuses the entry ${JSON.stringify(evil)} with 400 naming it and writes nothing`, async () => {
    const base = await scratch();
    const zip = craftZip([
      { name: 'package.xml', data: Buffer.from('<Package/>') },
      { name: evil, data: Buffer.from('pwned') },
    ]);
    const err = await rejection(extractUpload(zip, join(base, 'x'), small));
    assert.equal(err.status, 400);
    assert.deepEqual(err.entries, [evil]);
    assert.ok(err.message.includes(evil));
    assert.equal(existsSync(join(base, 'x')), false);
    assert.equal(existsSync(join(base, 'evil.txt')), false);
    await rm(base, { recursive: true });
  });
}

test('refuses a symlink entry with 400 naming it', async () => {
  const base = await scratch();
  const zip = craftZip([
    { name: 'package.xml', data: Buffer.from('<Package/>') },
    { name: 'classes/link.cls', data: Buffer.from('/etc/passwd'), mode: 0o120777, store: true },
  ]);
  const err = await rejection(extractUpload(zip, join(base, 'x'), small));
  assert.equal(err.status, 400);
  assert.deepEqual(err.entries, ['classes/link.cls']);
  assert.match(err.message, /symbolic link/);
  await rm(base, { recursive: true });
});

test('refuses a zip whose declared size is over the limit with 413 before writing', async () => {
  const base = await scratch();
  const zip = craftZip([{ name: 'big.xml', data: Buffer.alloc(10), declaredSize: 5 * 1024 * 1024 }]);
  const err = await rejection(extractUpload(zip, join(base, 'x'), small));
  assert.equal(err.status, 413);
  assert.equal(existsSync(join(base, 'x')), false);
  await rm(base, { recursive: true });
});

test('stops a zip bomb whose headers lie, counting inflated bytes, and removes what it wrote', async () => {
  const base = await scratch();
  const limits: UploadLimits = { ...small, maxRatio: 100_000, maxFileBytes: 100 * 1024 * 1024 };
  const zip = craftZip([
    { name: 'ok.txt', data: Buffer.from('fine') },
    { name: 'bomb.xml', data: Buffer.alloc(20 * 1024 * 1024), declaredSize: 1000 },
  ]);
  assert.ok(zip.length < 100 * 1024, 'the bomb is small when compressed');
  const err = await rejection(extractUpload(zip, join(base, 'x'), limits));
  assert.equal(err.status, 413);
  assert.equal(existsSync(join(base, 'x')), false);
  await rm(base, { recursive: true });
});

test('refuses a highly compressed entry over the ratio with 413', async () => {
  const base = await scratch();
  const zip = craftZip([{ name: 'zeros.xml', data: Buffer.alloc(3 * 1024 * 1024 - 1) }]);
  const err = await rejection(extractUpload(zip, join(base, 'x'), { ...small, maxRatio: 50 }));
  assert.equal(err.status, 413);
  assert.match(err.message, /zip bomb/);
  await rm(base, { recursive: true });
});

test('refuses more entries than allowed with 413', async () => {
  const base = await scratch();
  const zip = craftZip(Array.from({ length: 12 }, (_, i) => ({ name: `f${i}.txt`, data: Buffer.from('x') })));
  const err = await rejection(extractUpload(zip, join(base, 'x'), { ...small, maxEntries: 10 }));
  assert.equal(err.status, 413);
  await rm(base, { recursive: true });
});

test('refuses a single file over the per-file limit with 413 naming it', async () => {
  const base = await scratch();
  const zip = craftZip([{ name: 'staticresources/huge.resource', data: Buffer.alloc(2000, 7), store: true }]);
  const err = await rejection(extractUpload(zip, join(base, 'x'), { ...small, maxFileBytes: 1000 }));
  assert.equal(err.status, 413);
  assert.deepEqual(err.entries, ['staticresources/huge.resource']);
  await rm(base, { recursive: true });
});

test('refuses an entry whose data is shorter than its header says with 400', async () => {
  const base = await scratch();
  const zip = craftZip([{ name: 'a.txt', data: Buffer.from('abc'), declaredSize: 10, store: false }]);
  const err = await rejection(extractUpload(zip, join(base, 'x'), small));
  assert.equal(err.status, 400);
  assert.deepEqual(err.entries, ['a.txt']);
  await rm(base, { recursive: true });
});

test('refuses the same path twice with 400', async () => {
  const base = await scratch();
  const zip = craftZip([
    { name: 'a.txt', data: Buffer.from('1') },
    { name: 'a.txt', data: Buffer.from('2') },
  ]);
  const err = await rejection(extractUpload(zip, join(base, 'x'), small));
  assert.equal(err.status, 400);
  await rm(base, { recursive: true });
});

test('on rejection into an existing folder, removes only what it created', async () => {
  const base = await scratch();
  await mkdir(join(base, 'x'));
  await writeFile(join(base, 'x', 'keep.txt'), 'mine');
  const zip = craftZip([
    { name: 'classes/ok.cls', data: Buffer.from('fine') },
    { name: 'classes/bomb.xml', data: Buffer.alloc(20 * 1024 * 1024), declaredSize: 10 },
  ]);
  await rejection(extractUpload(zip, join(base, 'x'), { ...small, maxRatio: 1_000_000 }));
  assert.deepEqual(await readdir(join(base, 'x')), ['keep.txt']);
  await rm(base, { recursive: true });
});
