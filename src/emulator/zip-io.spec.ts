import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidZipError, readZip, writeZip, ZipLimitError } from './zip-io.js';

const limits = { maxFiles: 10, maxUncompressedBytes: 1_000_000 };

describe('zip io', () => {
  it('reads back exactly what it wrote, compressed or stored', async () => {
    const files = new Map([
      ['classes/A.cls', Buffer.from('class A {}\n'.repeat(50))],
      ['lwc/c/ünïcode.js', Buffer.from('x')],
      ['staticresources/empty.resource', Buffer.alloc(0)],
    ]);
    assert.deepEqual(await readZip(writeZip(files), limits), files);
  });

  it('writes the same bytes for the same files', () => {
    const files = [['a.txt', Buffer.from('a')]] as const;
    assert.deepEqual(writeZip(files), writeZip(files));
  });

  it('refuses more files than the limit before inflating', async () => {
    const many = Array.from({ length: 11 }, (_, i) => [`f${i}`, Buffer.from('x')] as const);
    await assert.rejects(readZip(writeZip(many), limits), (e: unknown) => e instanceof ZipLimitError && e.limit === 'files');
  });

  it('refuses more unzipped bytes than the limit', async () => {
    const big = writeZip([['big.txt', Buffer.alloc(2_000_000)]]);
    await assert.rejects(readZip(big, limits), (e: unknown) => e instanceof ZipLimitError && e.limit === 'uncompressedBytes');
  });

  it('refuses bytes that are not a zip', async () => {
    await assert.rejects(readZip(Buffer.from('not a zip'), limits), InvalidZipError);
  });
});
