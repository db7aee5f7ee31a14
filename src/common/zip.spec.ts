import { describe, it, expect } from '@jest/globals';
import { flipFirstEntryByte, wrongFirstCrc } from '../../test/fixtures/corrupt-zip.js';
import { deflateRawSync, crc32 } from 'node:zlib';
import { rememberDeflated } from './deflated.js';
import { readZip, writeZip, writeZipSync, ZipEntryCorruptError, ZipReadError, ZipTooLargeError } from './zip.js';

const text = (s: string) => Buffer.from(s, 'utf8');

describe('the zip writer', () => {
  it('writes a zip that reads back to the same files, in memory and synchronously', async () => {
    const files = [
      { path: 'classes/A.cls', content: text('public class A {}'.repeat(50)) },
      { path: 'package.xml', content: text('<Package/>') },
    ];
    const zip = writeZipSync(files);
    const read = await readZip(zip);
    expect([...read.keys()]).toEqual(['classes/A.cls', 'package.xml']);
    expect(read.get('classes/A.cls')!.equals(files[0]!.content)).toBe(true);
  });

  it('gives the same bytes for the same files, sync or async (deflated on the thread pool, in batches)', async () => {
    // more entries than one deflate batch, of every kind: compressible, incompressible (stored), empty
    const files = Array.from({ length: 600 }, (_, i) => ({
      path: `f/${i}.txt`,
      content: i % 3 === 0 ? text(`entry ${i} `.repeat(i)) : i % 3 === 1 ? Buffer.from(`${i}`) : Buffer.alloc(0),
    }));
    for (const level of [0, 1, 6]) {
      expect(writeZipSync(files, { level }).equals(await writeZip(files, { level }))).toBe(true);
    }
    const read = await readZip(await writeZip(files));
    expect(read.get('f/599.txt')).toEqual(Buffer.alloc(0));
    expect(read.get('f/300.txt')?.toString()).toBe('entry 300 '.repeat(300));
  });

  it('puts a content’s own deflate stream in the zip only when asked (reuseDeflated), and it reads back the same', async () => {
    const content = text('public class Reused {}\n'.repeat(300));
    const stream = deflateRawSync(content, { level: 1 });
    rememberDeflated(content, { raw: stream, crc: crc32(content) });
    const files = [{ path: 'classes/Reused.cls', content }];
    const reused = await writeZip(files, { reuseDeflated: true });
    expect(reused.includes(stream)).toBe(true);
    expect((await readZip(reused)).get('classes/Reused.cls')?.equals(content)).toBe(true);
    const fresh = await writeZip(files);
    expect(fresh.includes(stream)).toBe(false);
    expect(fresh.equals(writeZipSync(files))).toBe(true);
  });

  it('writes an entry given only as its deflate stream, at any level, sync or async, and it reads back the same', async () => {
    const content = text('public class Packed {}\n'.repeat(400));
    const deflated = { raw: deflateRawSync(content, { level: 1 }), crc: crc32(content), size: content.length };
    const files = [
      { path: 'classes/Packed.cls', deflated },
      { path: 'classes/Other.cls', content: text('public class Other {}') },
    ];
    for (const level of [1, 6]) {
      const zip = await writeZip(files, { level });
      expect(zip.includes(deflated.raw)).toBe(true); // not inflated and deflated again
      expect(zip.equals(writeZipSync(files, { level }))).toBe(true);
      const read = await readZip(zip);
      expect(read.get('classes/Packed.cls')?.equals(content)).toBe(true);
      expect(read.get('classes/Other.cls')?.toString()).toBe('public class Other {}');
    }
    // level 0 stores every entry: the stream is inflated for it
    const stored = await readZip(await writeZip(files, { level: 0 }));
    expect(stored.get('classes/Packed.cls')?.equals(content)).toBe(true);
    // a stream whose CRC-32 is not its content's is written as given, and the reader refuses it
    const lying = [{ path: 'classes/Packed.cls', deflated: { ...deflated, crc: (deflated.crc + 1) >>> 0 } }];
    await expect(readZip(await writeZip(lying))).rejects.toThrow(ZipEntryCorruptError);
  });

  it('refuses to frame a zip that needs ZIP64 instead of writing a corrupt one', () => {
    const many = Array.from({ length: 0xffff }, (_, i) => ({ path: `f${i}`, content: Buffer.alloc(0) }));
    expect(() => writeZipSync(many)).toThrow(ZipTooLargeError);
    expect(() => writeZipSync(many)).toThrow(/needs ZIP64/);
  });
});

describe('reading a zip an org returned', () => {
  it('refuses a stored entry whose bytes changed, naming the entry and the CRC-32', async () => {
    const zip = writeZipSync([{ path: 'classes/A.cls', content: text('public class A {}') }], { level: 0 });
    const damaged = flipFirstEntryByte(zip, 3);
    await expect(readZip(damaged)).rejects.toThrow(ZipEntryCorruptError);
    await expect(readZip(damaged)).rejects.toThrow(/classes\/A\.cls is corrupt \(its CRC-32 is [0-9a-f]{8}, not/);
  });

  it('refuses a deflated entry whose recorded CRC-32 does not match what it inflates to', async () => {
    const zip = writeZipSync([{ path: 'objects/Account.object', content: text('<CustomObject/>'.repeat(40)) }]);
    const error = await readZip(wrongFirstCrc(zip)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ZipReadError);
    expect((error as ZipEntryCorruptError).entry).toBe('objects/Account.object');
  });

  it('still reads an intact zip after the check (the CRC of every entry matches)', async () => {
    const zip = writeZipSync([
      { path: 'a.txt', content: text('x') },
      { path: 'b.txt', content: Buffer.alloc(0) },
    ]);
    expect((await readZip(zip)).size).toBe(2);
  });
});
