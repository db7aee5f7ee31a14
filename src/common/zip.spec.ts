import { describe, it, expect } from '@jest/globals';
import { flipFirstEntryByte, wrongFirstCrc } from '../../test/fixtures/corrupt-zip.js';
import { deflateRawSync, crc32 } from 'node:zlib';
import { rememberDeflated } from './deflated.js';
import {
  plainEntries,
  readZip,
  writeZip,
  writeZipSync,
  writeZipWithArchiver,
  ZipEntryCorruptError,
  ZipReadError,
  ZipTooLargeError,
} from './zip.js';

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

describe('reading a large zip', () => {
  it('gives the event loop turns while it inflates thousands of entries, and reads every entry', async () => {
    const files = Array.from({ length: 4000 }, (_, i) => ({
      path: `unpackaged/classes/C${i}.cls`,
      content: text(`public class C${i} { /* ${'x'.repeat(i % 97)} */ }\n`.repeat(200)),
    }));
    const zip = writeZipSync(files);
    let turns = 0;
    let counting = true;
    const count = () => {
      turns++;
      if (counting) setImmediate(count);
    };
    setImmediate(count);
    const read = await readZip(zip);
    counting = false;
    expect(read.size).toBe(files.length);
    expect(read.get('unpackaged/classes/C3999.cls')).toEqual(files[3999]!.content);
    // a turn every 5 ms of inflating (62 MB here, tens of ms on any machine): the loop was not held to the last entry
    expect(turns).toBeGreaterThan(1);
  });
});

describe('reading a plain zip in one pass (plainEntries), any other through yauzl', () => {
  const files = [
    { path: 'unpackaged/package.xml', content: text('<Package/>') },
    { path: 'unpackaged/classes/Café.cls', content: text('public class Café {}'.repeat(30)) },
    { path: 'unpackaged/classes/Empty.cls', content: Buffer.alloc(0) },
  ];
  /** The central directory's first entry: where its header starts, in a zip without a comment. */
  const firstCentral = (zip: Buffer) => zip.readUInt32LE(zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06])) + 16);
  /** Rewrites the first entry's name (same length, both headers) and its UTF-8 flag. */
  const renamedFirst = (zip: Buffer, name: Buffer, utf8: boolean) => {
    const copy = Buffer.from(zip);
    for (const [header, flags, nameAt] of [
      [0, 6, 30],
      [firstCentral(copy), 8, 46],
    ] as const) {
      const flag = copy.readUInt16LE(header + flags);
      copy.writeUInt16LE(utf8 ? flag | 0x800 : flag & ~0x800, header + flags);
      name.copy(copy, header + nameAt);
    }
    return copy;
  };

  it('walks what the service writes, and what archiver writes (data descriptors) and a zip with a comment', async () => {
    const ours = writeZipSync(files);
    const archived = await writeZipWithArchiver(files);
    const commented = Buffer.from(ours);
    commented.writeUInt16LE(5, commented.length - 2);
    for (const zip of [ours, archived, Buffer.concat([commented, text('hello')])]) {
      const entries = plainEntries(zip);
      expect(entries?.map((e) => e.name)).toEqual(files.map((f) => f.path));
      const read = await readZip(zip);
      expect([...read.keys()]).toEqual(files.map((f) => f.path));
      for (const f of files) expect(read.get(f.path)!.equals(f.content)).toBe(true);
    }
  });

  it('leaves a name in code page 437 (no UTF-8 flag) to yauzl, which decodes it: the same zip reads the same', async () => {
    const zip = writeZipSync([{ path: 'classes/A.cls', content: text('public class A {}') }]);
    const cp437 = renamedFirst(
      zip,
      Buffer.from([0x63, 0x6c, 0x61, 0x73, 0x73, 0x65, 0x73, 0x2f, 0x81, 0x2e, 0x63, 0x6c, 0x73]),
      false,
    );
    expect(plainEntries(cp437)).toBeNull();
    expect([...(await readZip(cp437)).keys()]).toEqual(['classes/ü.cls']);
    // printable ASCII without the flag is the same text either way: walked
    const ascii = renamedFirst(zip, text('classes/B.cls'), false);
    expect(plainEntries(ascii)?.map((e) => e.name)).toEqual(['classes/B.cls']);
  });

  it('refuses what it walks as the yauzl path does: unsafe names, links, a wrong declared size', async () => {
    const zip = writeZipSync([{ path: 'classes/A.cls', content: text('public class A {}') }]);
    const traversal = renamedFirst(zip, text('../../etc/pwd'), true);
    expect(plainEntries(traversal)).not.toBeNull();
    await expect(readZip(traversal)).rejects.toThrow('The zip entry ../../etc/pwd is unsafe (traversal).');

    const link = Buffer.from(zip);
    link.writeUInt32LE((0o120777 << 16) >>> 0, firstCentral(link) + 38);
    await expect(readZip(link)).rejects.toThrow('The zip entry classes/A.cls is a link or special file.');

    // a declared size larger than what inflates (its CRC-32 right): not the file the org meant
    const longer = Buffer.from(zip);
    longer.writeUInt32LE(longer.readUInt32LE(firstCentral(longer) + 24) + 10, firstCentral(longer) + 24);
    await expect(readZip(longer)).rejects.toThrow('The zip entry classes/A.cls does not match its declared size.');
  });

  it('leaves a damaged or cut zip to yauzl, which refuses it with a ZipReadError', async () => {
    const zip = writeZipSync(files);
    for (const damaged of [zip.subarray(0, zip.length - 30), zip.subarray(0, Math.floor(zip.length / 2))]) {
      expect(plainEntries(damaged)).toBeNull();
      await expect(readZip(damaged)).rejects.toThrow(ZipReadError);
    }
  });
});
