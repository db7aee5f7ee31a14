import { test, expect } from '@jest/globals';
import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { craftZip } from '../../test/fixtures/craft-zip.js';
import { writeZip } from '../common/zip.js';
import {
  DEFAULT_UPLOAD_LIMITS,
  UploadRejectedError,
  extractUpload,
  wrappingFolder,
  type UploadLimits,
} from './zip-intake.js';

async function scratch(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'bt-intake-'));
}

async function rejection(promise: Promise<unknown>): Promise<UploadRejectedError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(UploadRejectedError);
    return err as UploadRejectedError;
  }
  throw new Error('expected the upload to be rejected');
}

const small: UploadLimits = {
  maxUncompressedBytes: 4 * 1024 * 1024,
  maxRatio: 100,
  maxEntries: 100,
  maxFileBytes: 3 * 1024 * 1024,
};

test('extracts a normal zip and strips the folder that wraps the project', async () => {
  const base = await scratch();
  const zip = await writeZip([
    { path: 'my-project/sfdx-project.json', content: Buffer.from('{"packageDirectories":[{"path":"force-app"}]}') },
    { path: 'my-project/force-app/main/default/classes/A.cls', content: Buffer.from('public class A {}') },
  ]);
  const out = await extractUpload(zip, join(base, 'x'), DEFAULT_UPLOAD_LIMITS);
  expect(out.files).toEqual(['force-app/main/default/classes/A.cls', 'sfdx-project.json']);
  expect(out.strippedPrefix).toBe('my-project/');
  expect([...out.contents].map(([p, c]) => [p, c.toString()])).toEqual([
    ['force-app/main/default/classes/A.cls', 'public class A {}'],
    ['sfdx-project.json', '{"packageDirectories":[{"path":"force-app"}]}'],
  ]);
  expect(await readFile(join(base, 'x', 'force-app/main/default/classes/A.cls'), 'utf8')).toBe('public class A {}');
  await rm(base, { recursive: true });
});

test('keeps a bare force-app folder because its name is part of the project paths', () => {
  expect(
    wrappingFolder(['force-app/main/default/classes/A.cls', 'force-app/main/default/classes/A.cls-meta.xml']),
  ).toBe(undefined);
  expect(wrappingFolder(['unpackaged/package.xml', 'unpackaged/classes/A.cls'])).toBe('unpackaged/');
  expect(wrappingFolder(['package.xml', 'classes/A.cls'])).toBe(undefined);
});

test('skips macOS resource forks and Finder files', async () => {
  const base = await scratch();
  const zip = craftZip([
    { name: 'package.xml', data: Buffer.from('<Package/>') },
    { name: '__MACOSX/._package.xml', data: Buffer.from('junk') },
    { name: 'classes/.DS_Store', data: Buffer.from('junk') },
  ]);
  const out = await extractUpload(zip, join(base, 'x'), small);
  expect(out.files).toEqual(['package.xml']);
  await rm(base, { recursive: true });
});

test('refuses bytes that are not a zip with 400', async () => {
  const base = await scratch();
  const err = await rejection(extractUpload(Buffer.from('definitely not a zip file'), join(base, 'x'), small));
  expect(err.status).toBe(400);
  expect(err.message).toMatch(/not a readable zip/);
  expect(existsSync(join(base, 'x'))).toBe(false);
  await rm(base, { recursive: true });
});

for (const evil of [
  '../evil.txt',
  'force-app/../../evil.txt',
  '/etc/evil.txt',
  'C:\\Windows\\evil.txt',
  '..\\..\\evil.txt',
]) {
  test(`refuses the entry ${JSON.stringify(evil)} with 400 naming it and writes nothing`, async () => {
    const base = await scratch();
    const zip = craftZip([
      { name: 'package.xml', data: Buffer.from('<Package/>') },
      { name: evil, data: Buffer.from('pwned') },
    ]);
    const err = await rejection(extractUpload(zip, join(base, 'x'), small));
    expect(err.status).toBe(400);
    expect(err.entries).toEqual([evil]);
    expect(err.message).toContain(evil);
    expect(existsSync(join(base, 'x'))).toBe(false);
    expect(existsSync(join(base, 'evil.txt'))).toBe(false);
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
  expect(err.status).toBe(400);
  expect(err.entries).toEqual(['classes/link.cls']);
  expect(err.message).toMatch(/symbolic link/);
  await rm(base, { recursive: true });
});

test('refuses a zip whose declared size is over the limit with 413 before writing', async () => {
  const base = await scratch();
  const zip = craftZip([{ name: 'big.xml', data: Buffer.alloc(10), declaredSize: 5 * 1024 * 1024 }]);
  const err = await rejection(extractUpload(zip, join(base, 'x'), small));
  expect(err.status).toBe(413);
  expect(existsSync(join(base, 'x'))).toBe(false);
  await rm(base, { recursive: true });
});

test('stops a zip bomb whose headers lie, counting inflated bytes, and removes what it wrote', async () => {
  const base = await scratch();
  const limits: UploadLimits = { ...small, maxRatio: 100_000, maxFileBytes: 100 * 1024 * 1024 };
  const zip = craftZip([
    { name: 'ok.txt', data: Buffer.from('fine') },
    { name: 'bomb.xml', data: Buffer.alloc(20 * 1024 * 1024), declaredSize: 1000 },
  ]);
  expect(zip.length < 100 * 1024).toBeTruthy(); // the bomb is small when compressed
  const err = await rejection(extractUpload(zip, join(base, 'x'), limits));
  expect(err.status).toBe(413);
  expect(existsSync(join(base, 'x'))).toBe(false);
  await rm(base, { recursive: true });
});

test('refuses a highly compressed entry over the ratio with 413', async () => {
  const base = await scratch();
  const zip = craftZip([{ name: 'zeros.xml', data: Buffer.alloc(3 * 1024 * 1024 - 1) }]);
  const err = await rejection(extractUpload(zip, join(base, 'x'), { ...small, maxRatio: 50 }));
  expect(err.status).toBe(413);
  expect(err.message).toMatch(/zip bomb/);
  await rm(base, { recursive: true });
});

test('refuses more entries than allowed with 413', async () => {
  const base = await scratch();
  const zip = craftZip(Array.from({ length: 12 }, (_, i) => ({ name: `f${i}.txt`, data: Buffer.from('x') })));
  const err = await rejection(extractUpload(zip, join(base, 'x'), { ...small, maxEntries: 10 }));
  expect(err.status).toBe(413);
  await rm(base, { recursive: true });
});

test('refuses a single file over the per-file limit with 413 naming it', async () => {
  const base = await scratch();
  const zip = craftZip([{ name: 'staticresources/huge.resource', data: Buffer.alloc(2000, 7), store: true }]);
  const err = await rejection(extractUpload(zip, join(base, 'x'), { ...small, maxFileBytes: 1000 }));
  expect(err.status).toBe(413);
  expect(err.entries).toEqual(['staticresources/huge.resource']);
  await rm(base, { recursive: true });
});

test('refuses an entry whose data is shorter than its header says with 400', async () => {
  const base = await scratch();
  const zip = craftZip([{ name: 'a.txt', data: Buffer.from('abc'), declaredSize: 10, store: false }]);
  const err = await rejection(extractUpload(zip, join(base, 'x'), small));
  expect(err.status).toBe(400);
  expect(err.entries).toEqual(['a.txt']);
  await rm(base, { recursive: true });
});

test('refuses the same path twice with 400', async () => {
  const base = await scratch();
  const zip = craftZip([
    { name: 'a.txt', data: Buffer.from('1') },
    { name: 'a.txt', data: Buffer.from('2') },
  ]);
  const err = await rejection(extractUpload(zip, join(base, 'x'), small));
  expect(err.status).toBe(400);
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
  expect(await readdir(join(base, 'x'))).toEqual(['keep.txt']);
  await rm(base, { recursive: true });
});
