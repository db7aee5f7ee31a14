import { describe, it, expect } from '@jest/globals';
import { InvalidZipError, readZip, writeZip, ZipLimitError } from './zip-io.js';

const limits = { maxFiles: 10, maxUncompressedBytes: 1_000_000 };

describe('zip io', () => {
  it('reads back exactly what it wrote, compressed or stored', async () => {
    const files = new Map([
      ['classes/A.cls', Buffer.from('class A {}\n'.repeat(50))],
      ['lwc/c/ünïcode.js', Buffer.from('x')],
      ['staticresources/empty.resource', Buffer.alloc(0)],
    ]);
    expect(await readZip(writeZip(files), limits)).toEqual(files);
  });

  it('writes the same bytes for the same files', () => {
    const files = [['a.txt', Buffer.from('a')]] as const;
    expect(writeZip(files)).toEqual(writeZip(files));
  });

  it('refuses more files than the limit before inflating', async () => {
    const many = Array.from({ length: 11 }, (_, i) => [`f${i}`, Buffer.from('x')] as const);
    const reading = readZip(writeZip(many), limits);
    await expect(reading).rejects.toBeInstanceOf(ZipLimitError);
    await expect(reading).rejects.toMatchObject({ limit: 'files' });
  });

  it('refuses more unzipped bytes than the limit', async () => {
    const big = writeZip([['big.txt', Buffer.alloc(2_000_000)]]);
    const reading = readZip(big, limits);
    await expect(reading).rejects.toBeInstanceOf(ZipLimitError);
    await expect(reading).rejects.toMatchObject({ limit: 'uncompressedBytes' });
  });

  it('refuses bytes that are not a zip', async () => {
    await expect(readZip(Buffer.from('not a zip'), limits)).rejects.toThrow(InvalidZipError);
  });
});
