import { describe, expect, it } from '@jest/globals';
import { crc32, deflateRawSync, gunzipSync, gzipSync } from 'node:zlib';
import { deflatedOf, deflatedOfGzip, gzipMember, rememberDeflated } from './deflated.js';

const text = Buffer.from('public class A { /* filler */ }\n'.repeat(200));

describe('reusing a content’s deflate stream', () => {
  it('frames a raw deflate stream as a gzip member that gunzip reads back (CRC and size checked by zlib)', () => {
    const member = gzipMember(text, { raw: deflateRawSync(text), crc: crc32(text) });
    expect(gunzipSync(member).equals(text)).toBe(true);
  });

  it('a wrong CRC-32 makes the member unreadable: the framing cannot hide a mismatch', () => {
    const member = gzipMember(text, { raw: deflateRawSync(text), crc: crc32(text) ^ 1 });
    expect(() => gunzipSync(member)).toThrow();
  });

  it('takes the stream out of what zlib.gzip writes, and refuses other framings', () => {
    const found = deflatedOfGzip(gzipSync(text), text);
    expect(found?.crc).toBe(crc32(text));
    expect(gunzipSync(gzipMember(text, found!)).equals(text)).toBe(true);
    const named = Buffer.from(gzipSync(text));
    named[3] = 8; // FNAME set: a name follows the header
    expect(deflatedOfGzip(named, text)).toBeUndefined();
    expect(deflatedOfGzip(Buffer.from('not gzip at all, long enough'), text)).toBeUndefined();
  });

  it('refuses two members read back as one content: the last trailer is not the whole content’s', () => {
    const [a, b] = [text.subarray(0, 1000), text.subarray(1000)];
    const twoMembers = Buffer.concat([gzipSync(a), gzipSync(b)]);
    expect(gunzipSync(twoMembers).equals(text)).toBe(true);
    expect(deflatedOfGzip(twoMembers, text)).toBeUndefined();
  });

  it('remembers by buffer, not by bytes: a copy with the same bytes is unknown', () => {
    const content = Buffer.from(text);
    rememberDeflated(content, { raw: deflateRawSync(content), crc: crc32(content) });
    expect(deflatedOf(content)).toBeDefined();
    expect(deflatedOf(Buffer.from(content))).toBeUndefined();
  });
});
