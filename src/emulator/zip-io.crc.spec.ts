import { describe, it, expect } from '@jest/globals';
import { flipFirstEntryByte, wrongFirstCrc } from '../../test/fixtures/corrupt-zip.js';
import { writeZipSync } from '../common/zip.js';
import { InvalidZipError, readZip, writeZip } from './zip-io.js';

const limits = { maxFiles: 100, maxUncompressedBytes: 1_000_000 };

describe('the emulator zip reader and writer', () => {
  it('writes with the service writer: the same files give the same bytes at deflate level 1', () => {
    const content = Buffer.from('public class A {}'.repeat(20));
    expect(
      writeZip([['classes/A.cls', content]]).equals(writeZipSync([{ path: 'classes/A.cls', content }], { level: 1 })),
    ).toBe(true);
  });

  it('refuses a deploy zip whose stored entry changed in transit', async () => {
    const zip = writeZipSync([{ path: 'package.xml', content: Buffer.from('<Package/>') }], { level: 0 });
    await expect(readZip(flipFirstEntryByte(zip), limits)).rejects.toThrow(InvalidZipError);
    await expect(readZip(flipFirstEntryByte(zip), limits)).rejects.toThrow(
      /package\.xml is corrupt \(CRC-32 mismatch\)/,
    );
  });

  it('refuses a deflated entry whose recorded CRC-32 is wrong', async () => {
    const zip = writeZip([['classes/A.cls', Buffer.from('x'.repeat(500))]]);
    await expect(readZip(wrongFirstCrc(zip), limits)).rejects.toThrow(/classes\/A\.cls is corrupt/);
  });
});
